using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.Abstractions;

/// <summary>
/// A storage backend for segments (local filesystem, S3-compatible object storage). Every backend stores the same
/// format (docs/format.md): blocks, then a footer written last as the commit point of the segment's end.
/// </summary>
public interface ISegmentStorage : IAsyncDisposable
{
    /// <summary>Short name of the backend ("local", "s3").</summary>
    string Kind { get; }

    /// <summary>How segments should batch appends for this backend.</summary>
    StorageFlushPolicy FlushPolicy { get; }

    /// <summary>Requests sent so far for one log (every attempt; empty counts for backends without request costs).</summary>
    StorageRequestCounts GetRequestCounts(long logId);

    /// <summary>Requests sent so far for every log together.</summary>
    StorageRequestCounts TotalRequestCounts { get; }

    /// <summary>True when completed segments are worth compacting (object storage); false when a segment is one file anyway.</summary>
    bool SupportsCompaction { get; }

    /// <summary>
    /// Compacts a completed segment: merges its blocks into fewer, larger objects and writes a new footer listing
    /// them. The new footer is the commit point: readers see either the old objects or the new ones, never a mix.
    /// Returns the new footer and the objects it replaced (to delete once no reader can still be using them), or
    /// null when there is nothing to gain (or the backend stores a segment as one file anyway).
    /// </summary>
    Task<CompactionResult?> CompactAsync(SegmentAddress segment, CancellationToken cancellationToken);

    /// <summary>Deletes objects a compaction replaced. Deleting missing objects is not an error.</summary>
    Task DeleteReplacedObjectsAsync(SegmentAddress segment, IReadOnlyList<string> objects, CancellationToken cancellationToken);

    /// <summary>Starts writing a new, empty segment.</summary>
    /// <exception cref="Errors.StorageUnavailableException">The segment already holds data, or storage failed.</exception>
    /// <exception cref="Errors.WriterFencedException">The segment was completed or recovered already.</exception>
    Task<ISegmentWriter> CreateWriterAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken);

    /// <summary>Opens a reader over a segment's data (completed or active).</summary>
    Task<ISegmentReader> OpenReaderAsync(SegmentAddress segment, CancellationToken cancellationToken);

    /// <summary>The segment's footer, or null when it has none yet.</summary>
    Task<SegmentFooter?> TryReadFooterAsync(SegmentAddress segment, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a segment whose writer is gone or must be stopped: fences it (no writer can get another block of it
    /// acknowledged afterwards), finds the longest valid prefix of its blocks, and writes the footer. Returns the
    /// existing footer when the segment is complete already. Safe to repeat.
    /// </summary>
    Task<SegmentFooter> RecoverAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken);

    /// <summary>Deletes a segment's data and footer. Deleting a missing segment is not an error.</summary>
    Task DeleteSegmentAsync(SegmentAddress segment, CancellationToken cancellationToken);

    /// <summary>Deletes everything stored for a log.</summary>
    Task DeleteLogAsync(long logId, CancellationToken cancellationToken);
}
