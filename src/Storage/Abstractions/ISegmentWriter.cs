namespace Woodpecker.Storage.Abstractions;

/// <summary>
/// Writes the blocks of one active segment. Blocks are passed in entry order; at most
/// <see cref="StorageFlushPolicy.MaxConcurrentFlushes"/> calls overlap. Once a call fails the writer is broken and
/// every later call fails: what it wrote is recovered from storage, never retried blindly (after a failed fsync
/// the page cache cannot be trusted).
/// </summary>
public interface ISegmentWriter : IAsyncDisposable
{
    /// <summary>Bytes of data written so far.</summary>
    long BytesWritten { get; }

    /// <summary>Makes one sealed block durable. The block's memory must stay untouched until the task completes.</summary>
    /// <exception cref="Errors.WriterFencedException">The segment was fenced by a recovery; the block is not acknowledged.</exception>
    /// <exception cref="Errors.StorageUnavailableException">The write or sync failed.</exception>
    Task WriteBlockAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the footer after every written block: the segment is complete afterwards. When a footer exists already
    /// (a recovery finished first), returns that one instead: the first footer written is the segment's end.
    /// </summary>
    Task<Format.SegmentFooter> CompleteAsync(CancellationToken cancellationToken);
}
