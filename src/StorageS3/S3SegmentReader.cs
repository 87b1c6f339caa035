using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.S3;

/// <summary>
/// Reads a segment from object storage with parallel ranged GETs and read-ahead: consecutive blocks of one object are
/// fetched as ranges of up to <see cref="S3StorageOptions.ReadRangeBytes"/>, several ranges in flight ahead of the
/// consumer. Every block is validated (header, segment id, entry ids, every record CRC) before it is decoded; a block
/// that fails is fetched once more before the segment is called corrupt. A completed segment is located through its
/// footer; a segment without one through a listing of its blocks, re-listed when a read needs entries not seen yet.
/// If compaction replaced the objects under a slow reader, it reloads the footer and carries on.
/// </summary>
internal sealed class S3SegmentReader : ISegmentReader
{
    private const int MaxRangesInFlight = 32;

    private readonly S3SegmentStorage _storage;
    private readonly SegmentAddress _segment;
    private readonly Queue<PendingRange> _ahead = new();
    private SegmentFooter? _footer;
    private S3SegmentLayout? _layout;
    private PendingRange? _current;
    private byte[]? _currentBytes;
    private int _nextBlock = -1;
    private int _scheduledUntil;
    private CancellationTokenSource _prefetch = new();
    private bool _disposed;

    public S3SegmentReader(S3SegmentStorage storage, SegmentAddress segment, SegmentFooter? footer)
    {
        _storage = storage;
        _segment = segment;
        _footer = footer;
        _layout = footer is null ? null : S3SegmentLayout.FromFooter(footer);
    }

    public async Task<int> ReadAsync(long fromEntryId, long toEntryIdExclusive, int maxBytes, List<StoredEntry> output, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromEntryId);
        if (fromEntryId >= toEntryIdExclusive)
        {
            return 0;
        }

        await EnsureLayoutAsync(toEntryIdExclusive, cancellationToken).ConfigureAwait(false);
        var start = _layout!.Find(fromEntryId);
        if (start < 0)
        {
            throw Corrupt($"no block holds entry {fromEntryId}, though entries up to {toEntryIdExclusive - 1} should exist");
        }

        if (start != _nextBlock)
        {
            Restart(start);
        }

        var added = 0;
        long bytes = 0;
        while (_nextBlock < _layout.Blocks.Count && _layout.Blocks[_nextBlock].FirstEntryId < toEntryIdExclusive && (added == 0 || bytes < maxBytes))
        {
            var block = _layout.Blocks[_nextBlock];
            var data = await BlockBytesAsync(_nextBlock, toEntryIdExclusive, cancellationToken).ConfigureAwait(false);
            var header = Validate(_segment, block, data.Span, _storage);
            var before = output.Count;
            bytes += BlockDecoder.Decode(data.Span, header, fromEntryId, toEntryIdExclusive, output);
            added += output.Count - before;
            _nextBlock++;
        }

        Schedule(toEntryIdExclusive);
        return added;
    }

    public ValueTask DisposeAsync()
    {
        // Idempotent: a read session whose next segment failed to open disposes this reader a second time.
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        _prefetch.Cancel();
        _prefetch.Dispose();
        _ahead.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>Checks a downloaded block; throws <see cref="StorageCorruptedException"/> when it is not the block the layout says.</summary>
    internal static BlockHeader Validate(SegmentAddress segment, BlockLocation block, ReadOnlySpan<byte> data, S3SegmentStorage storage)
    {
        var header = BlockHeader.TryRead(data, out var problem);
        problem ??= header is { } h && (h.FirstEntryId != block.FirstEntryId || h.EntryCount != block.EntryCount)
            ? $"it holds entries {h.FirstEntryId}..{h.FirstEntryId + h.EntryCount - 1}, expected {block.FirstEntryId}..{block.EndEntryId - 1}"
            : header is { } valid ? BlockDecoder.Validate(data, valid, segment.SegmentId) : null;
        return problem is null
            ? header!.Value
            : throw new StorageCorruptedException(
                $"{segment}: the block at offset {block.OffsetInObject} of '{storage.Keys.Object(segment, block.ObjectName)}' is invalid ({problem}). " +
                "No data past this point was returned.");
    }

    private async Task EnsureLayoutAsync(long toEntryIdExclusive, CancellationToken cancellationToken)
    {
        if (_layout is not null && _layout.EntryCount >= toEntryIdExclusive)
        {
            return;
        }

        // The footer may have been written since this reader opened (the segment completed); if not, list the blocks.
        _footer = await _storage.TryReadFooterAsync(_segment, cancellationToken).ConfigureAwait(false);
        if (_footer is not null)
        {
            _layout = S3SegmentLayout.FromFooter(_footer);
        }

        if (_layout is null || _layout.EntryCount < toEntryIdExclusive)
        {
            var prefix = _storage.Keys.Segment(_segment) + S3Keys.BlocksFolder;
            var listing = await _storage.Gateway.ListAsync(prefix, _segment.LogId, cancellationToken).ConfigureAwait(false);
            var listed = S3SegmentLayout.FromListing(listing.Select(o => o with { Name = S3Keys.BlocksFolder + o.Name }));
            if (listed.EntryCount > (_layout?.EntryCount ?? -1))
            {
                _layout = listed;
            }
        }

        Restart(-1);
    }

    private async Task<ReadOnlyMemory<byte>> BlockBytesAsync(int blockIndex, long toEntryIdExclusive, CancellationToken cancellationToken)
    {
        for (var reloaded = false; ; reloaded = true)
        {
            if (_current is null || blockIndex >= _current.EndBlock || blockIndex < _current.FirstBlock)
            {
                if (_ahead.Count == 0 || _ahead.Peek().FirstBlock != blockIndex)
                {
                    Restart(blockIndex);
                    Schedule(toEntryIdExclusive);
                }

                _current = _ahead.Dequeue();
                _currentBytes = await _current.Download.WaitAsync(cancellationToken).ConfigureAwait(false);
                Schedule(toEntryIdExclusive);
            }

            var block = _layout!.Blocks[blockIndex];
            if (_currentBytes is null)
            {
                // The object is gone: compaction replaced it under this reader. Reload the footer and go on from here.
                if (reloaded)
                {
                    throw Corrupt($"object '{block.ObjectName}' is missing");
                }

                _footer = await _storage.TryReadFooterAsync(_segment, cancellationToken).ConfigureAwait(false);
                _layout = _footer is null ? _layout : S3SegmentLayout.FromFooter(_footer);
                blockIndex = _layout.Find(block.FirstEntryId);
                _nextBlock = blockIndex;
                Restart(blockIndex);
                continue;
            }

            var data = _currentBytes.AsMemory((int)(block.OffsetInObject - _current.Offset), block.Length);
            return IsValid(block, data.Span) ? data : await RetryAsync(blockIndex, toEntryIdExclusive, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IsValid(BlockLocation block, ReadOnlySpan<byte> bytes)
    {
        try
        {
            Validate(_segment, block, bytes, _storage);
            return true;
        }
        catch (StorageCorruptedException)
        {
            return false;
        }
    }

    private async Task<byte[]> RetryAsync(int blockIndex, long toEntryIdExclusive, CancellationToken cancellationToken)
    {
        // A damaged transfer is not damaged data: fetch the block once more before giving up on it.
        var block = _layout!.Blocks[blockIndex];
        Restart(blockIndex + 1);
        var again = await _storage.Gateway.GetAsync(_storage.Keys.Object(_segment, block.ObjectName), block.OffsetInObject, block.Length, _segment.LogId, cancellationToken).ConfigureAwait(false);
        Schedule(toEntryIdExclusive);
        return again ?? throw Corrupt($"object '{block.ObjectName}' is missing");
    }

    /// <summary>Drops everything prefetched and starts again at <paramref name="blockIndex"/> (-1: nowhere yet).</summary>
    private void Restart(int blockIndex)
    {
        _prefetch.Cancel();
        _prefetch.Dispose();
        _prefetch = new CancellationTokenSource();
        _ahead.Clear();
        _current = null;
        _currentBytes = null;
        _nextBlock = blockIndex;
        _scheduledUntil = Math.Max(blockIndex, 0);
    }

    /// <summary>Keeps ranges in flight ahead of the consumer, up to the read-ahead bounds, never past <paramref name="toEntryIdExclusive"/>.</summary>
    private void Schedule(long toEntryIdExclusive)
    {
        if (_layout is null || _nextBlock < 0)
        {
            return;
        }

        var options = _storage.Options;
        var budget = (long)options.ReadAhead * options.ReadRangeBytes;
        var inFlight = _ahead.Sum(r => r.Length);
        while (_ahead.Count < MaxRangesInFlight && inFlight < budget && _scheduledUntil < _layout.Blocks.Count
               && _layout.Blocks[_scheduledUntil].FirstEntryId < toEntryIdExclusive)
        {
            var first = _scheduledUntil;
            var firstBlock = _layout.Blocks[first];
            var end = first + 1;
            var length = (long)firstBlock.Length;
            while (end < _layout.Blocks.Count && _layout.Blocks[end].ObjectName == firstBlock.ObjectName
                   && _layout.Blocks[end].OffsetInObject == firstBlock.OffsetInObject + length
                   && _layout.Blocks[end].FirstEntryId < toEntryIdExclusive
                   && length + _layout.Blocks[end].Length <= options.ReadRangeBytes)
            {
                length += _layout.Blocks[end].Length;
                end++;
            }

            var key = _storage.Keys.Object(_segment, firstBlock.ObjectName);
            var download = _storage.Gateway.GetAsync(key, firstBlock.OffsetInObject, length, _segment.LogId, _prefetch.Token);
            _ = download.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            _ahead.Enqueue(new PendingRange(first, end, firstBlock.OffsetInObject, length, download));
            inFlight += length;
            _scheduledUntil = end;
        }
    }

    private StorageCorruptedException Corrupt(string detail) =>
        new($"{_segment} is corrupt or incomplete in the object store: {detail}. No data past this point was returned.");

    private sealed record PendingRange(int FirstBlock, int EndBlock, long Offset, long Length, Task<byte[]?> Download);
}
