using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Client.Tests;

/// <summary>
/// Wraps real storage and fails block writes on demand. Used only for faults this machine cannot produce for real
/// (an fdatasync error or a full disk in the middle of a run); tests using it say "simulated" in their names.
/// </summary>
internal sealed class FaultInjectingStorage(ISegmentStorage inner) : ISegmentStorage
{
    private int _blocksUntilFailure = int.MaxValue;

    public string Kind => inner.Kind;

    public StorageFlushPolicy FlushPolicy => inner.FlushPolicy;

    public StorageRequestCounts TotalRequestCounts => inner.TotalRequestCounts;

    public bool SupportsCompaction => inner.SupportsCompaction;

    public StorageRequestCounts GetRequestCounts(long logId) => inner.GetRequestCounts(logId);

    public Task<CompactionResult?> CompactAsync(SegmentAddress segment, CancellationToken cancellationToken) => inner.CompactAsync(segment, cancellationToken);

    public Task DeleteReplacedObjectsAsync(SegmentAddress segment, IReadOnlyList<string> objects, CancellationToken cancellationToken) =>
        inner.DeleteReplacedObjectsAsync(segment, objects, cancellationToken);

    /// <summary>The next <paramref name="blocks"/> block writes succeed; the ones after fail until healed.</summary>
    public void FailAfter(int blocks) => Volatile.Write(ref _blocksUntilFailure, blocks);

    public void Heal() => Volatile.Write(ref _blocksUntilFailure, int.MaxValue);

    public async Task<ISegmentWriter> CreateWriterAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken) =>
        new Writer(this, await inner.CreateWriterAsync(segment, writerEpoch, cancellationToken));

    public Task<ISegmentReader> OpenReaderAsync(SegmentAddress segment, CancellationToken cancellationToken) => inner.OpenReaderAsync(segment, cancellationToken);

    public Task<SegmentFooter?> TryReadFooterAsync(SegmentAddress segment, CancellationToken cancellationToken) => inner.TryReadFooterAsync(segment, cancellationToken);

    public Task<SegmentFooter> RecoverAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken) => inner.RecoverAsync(segment, writerEpoch, cancellationToken);

    public Task DeleteSegmentAsync(SegmentAddress segment, CancellationToken cancellationToken) => inner.DeleteSegmentAsync(segment, cancellationToken);

    public Task DeleteLogAsync(long logId, CancellationToken cancellationToken) => inner.DeleteLogAsync(logId, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class Writer(FaultInjectingStorage owner, ISegmentWriter inner) : ISegmentWriter
    {
        public long BytesWritten => inner.BytesWritten;

        public Task WriteBlockAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref owner._blocksUntilFailure) < 0
                ? Task.FromException(new StorageUnavailableException("simulated: the disk reported an I/O error"))
                : inner.WriteBlockAsync(block, cancellationToken);

        public Task<SegmentFooter> CompleteAsync(CancellationToken cancellationToken) => inner.CompleteAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
