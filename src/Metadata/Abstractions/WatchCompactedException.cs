namespace Woodpecker.Metadata.Abstractions;

/// <summary>
/// A watch asked to start at a revision the store no longer keeps history for. The watcher must re-read the
/// current state (a range read) and watch again from that read's revision + 1.
/// </summary>
public sealed class WatchCompactedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WatchCompactedException(long requestedRevision, long compactRevision)
        : base($"The store has compacted its history up to revision {compactRevision}; revision {requestedRevision} can no longer be watched. Re-read the keys and watch from the read's revision.")
    {
        RequestedRevision = requestedRevision;
        CompactRevision = compactRevision;
    }

    /// <summary>The revision the watch asked for.</summary>
    public long RequestedRevision { get; }

    /// <summary>The oldest revision still available is this one + 1.</summary>
    public long CompactRevision { get; }
}
