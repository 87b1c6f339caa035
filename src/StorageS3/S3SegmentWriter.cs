using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.S3;

/// <summary>
/// Uploads a segment's blocks as objects, several at a time. A block counts as durable only when its upload finished
/// and a check afterwards found no fence (see <see cref="S3SegmentStorage"/> for why that is enough).
/// </summary>
internal sealed class S3SegmentWriter : ISegmentWriter
{
    private readonly S3SegmentStorage _storage;
    private readonly SegmentAddress _segment;
    private readonly long _writerEpoch;
    private long _nextEntryId;
    private long _bytesWritten;
    private int _inFlight;
    private bool _completed;
    private Exception? _failure;

    /// <summary>PUTs in flight for this segment, at most MaxConcurrentUploads; fence checks run outside it.</summary>
    private readonly SemaphoreSlim _uploadSlots;

    public S3SegmentWriter(S3SegmentStorage storage, SegmentAddress segment, long writerEpoch)
    {
        _storage = storage;
        _segment = segment;
        _writerEpoch = writerEpoch;
        _uploadSlots = new SemaphoreSlim(storage.Options.MaxConcurrentUploads, storage.Options.MaxConcurrentUploads);
    }

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public async Task WriteBlockAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        var header = BlockHeader.TryRead(block.Span, out var problem)
            ?? throw new ArgumentException($"Not a sealed block: {problem}.", nameof(block));
        if (header.SegmentId != _segment.SegmentId || header.FirstEntryId != _nextEntryId || header.BlockLength != block.Length)
        {
            throw new ArgumentException($"The block (segment {header.SegmentId}, first entry {header.FirstEntryId}) does not continue {_segment} at entry {_nextEntryId}.", nameof(block));
        }

        if (_completed)
        {
            throw new InvalidOperationException($"{_segment} is complete; no block can be added after its footer.");
        }

        _nextEntryId += header.EntryCount;
        Interlocked.Increment(ref _inFlight);
        try
        {
            var key = _storage.Keys.Object(_segment, S3Keys.BlockName(header.FirstEntryId, header.EntryCount, header.BlockLength, _writerEpoch));
            bool stored;
            await _uploadSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                stored = await _storage.Gateway.PutAsync(key, block, ifNoneMatch: true, _segment.LogId, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _uploadSlots.Release();
            }

            if (!stored)
            {
                throw Fenced("another writer uploaded this block already");
            }

            if (await _storage.Gateway.ExistsAsync(_storage.Keys.Fence(_segment), _segment.LogId, CancellationToken.None).ConfigureAwait(false))
            {
                throw Fenced("the segment was fenced by a recovery (a newer writer took over)");
            }
        }
        catch (Exception ex)
        {
            _failure ??= ex;
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        Interlocked.Add(ref _bytesWritten, block.Length);
    }

    public Task<SegmentFooter> CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        if (Volatile.Read(ref _inFlight) > 0)
        {
            throw new InvalidOperationException($"Blocks of {_segment} are still being uploaded; complete the segment after every upload has finished.");
        }

        _completed = true;
        return _storage.EndSegmentAsync(_segment, _writerEpoch, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _uploadSlots.Dispose();
        return ValueTask.CompletedTask;
    }

    private WriterFencedException Fenced(string why) =>
        new($"Segment {_segment.SegmentId} of log {_segment.LogId}: {why}; this block is not acknowledged. Open a new writer if this process should write again.");

    private void ThrowIfBroken()
    {
        if (_failure is not null)
        {
            throw _failure is WoodpeckerException typed
                ? WoodpeckerException.FromCode(typed.ErrorCode, typed.Message, _failure)
                : new StorageUnavailableException($"An earlier upload to {_segment} failed: {_failure.Message}", _failure);
        }
    }
}
