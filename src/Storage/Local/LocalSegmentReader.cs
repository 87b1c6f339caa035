using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.Local;

/// <summary>
/// Reads a segment's data file in large chunks, validating every block before decoding it. Keeps a cursor (the next
/// block's offset and first entry id) so sequential reads never rescan; completed segments are entered through the
/// footer's block index.
/// </summary>
internal sealed class LocalSegmentReader : ISegmentReader
{
    private readonly LocalSegmentStorage _storage;
    private readonly LocalSegmentFiles _files;
    private readonly SegmentAddress _segment;
    private SafeFileHandle? _handle;
    private SegmentFooter? _footer;
    private byte[] _chunk;
    private long _chunkOffset;
    private int _chunkLength;
    private long _cursorOffset;
    private long _cursorEntryId;

    public LocalSegmentReader(LocalSegmentStorage storage, LocalSegmentFiles files, SegmentAddress segment, SegmentFooter? footer)
    {
        _storage = storage;
        _files = files;
        _segment = segment;
        _footer = footer;
        _chunk = ArrayPool<byte>.Shared.Rent(storage.Options.ReadChunkBytes);
    }

    public async Task<int> ReadAsync(long fromEntryId, long toEntryIdExclusive, int maxBytes, List<StoredEntry> output, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromEntryId);
        _footer ??= await _storage.TryReadFooterAsync(_segment, cancellationToken).ConfigureAwait(false);
        if (_footer is not null)
        {
            toEntryIdExclusive = Math.Min(toEntryIdExclusive, _footer.EntryCount);
        }

        if (fromEntryId >= toEntryIdExclusive)
        {
            return 0;
        }

        if (_handle is null && !TryOpen())
        {
            throw Corrupt($"its data file is missing but entries up to {toEntryIdExclusive - 1} should exist");
        }

        PositionCursor(fromEntryId);
        var added = 0;
        long bytes = 0;
        while (_cursorEntryId < toEntryIdExclusive && (added == 0 || bytes < maxBytes))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (header, block) = await ReadBlockAtCursorAsync(cancellationToken).ConfigureAwait(false);
            if (header.EntryCount > 0 && header.FirstEntryId + header.EntryCount > fromEntryId)
            {
                var before = output.Count;
                bytes += BlockDecoder.Decode(block.Span, header, fromEntryId, toEntryIdExclusive, output);
                added += output.Count - before;
            }

            _cursorOffset += header.BlockLength;
            _cursorEntryId += header.EntryCount;
        }

        return added;
    }

    public ValueTask DisposeAsync()
    {
        _handle?.Dispose();
        var chunk = _chunk;
        _chunk = [];
        if (chunk.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return ValueTask.CompletedTask;
    }

    private bool TryOpen()
    {
        try
        {
            _handle = File.OpenHandle(_files.DataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.RandomAccess);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    private void PositionCursor(long fromEntryId)
    {
        if (fromEntryId == _cursorEntryId)
        {
            return; // the common case: this read continues where the last one ended
        }

        if (_footer is { Blocks.Count: > 0 } footer)
        {
            var block = footer.Blocks[FindBlock(footer.Blocks, fromEntryId)];
            _cursorOffset = block.Offset;
            _cursorEntryId = block.FirstEntryId;
        }
        else if (fromEntryId < _cursorEntryId)
        {
            // No index for an active segment: rescan from its start (reads go forward, so this is rare).
            _cursorOffset = 0;
            _cursorEntryId = 0;
        }
    }

    private static int FindBlock(IReadOnlyList<BlockIndexEntry> blocks, long entryId)
    {
        int low = 0, high = blocks.Count - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (blocks[mid].FirstEntryId <= entryId)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    private async Task<(BlockHeader Header, ReadOnlyMemory<byte> Block)> ReadBlockAtCursorAsync(CancellationToken cancellationToken)
    {
        // A chunk read earlier may have caught the writer mid-block; when cached bytes fail, read the disk once more
        // before calling the data corrupt.
        for (var attempt = 0; ; attempt++)
        {
            var fresh = attempt > 0;
            var headerBytes = await EnsureAsync(_cursorOffset, FormatConstants.BlockHeaderSize, fresh, cancellationToken).ConfigureAwait(false);
            var header = BlockHeader.TryRead(headerBytes.Span, out var problem);
            string? failure;
            if (header is { } h)
            {
                if (h.FirstEntryId != _cursorEntryId)
                {
                    failure = $"the block at offset {_cursorOffset} starts at entry {h.FirstEntryId}, expected {_cursorEntryId}";
                }
                else
                {
                    var block = await EnsureAsync(_cursorOffset, h.BlockLength, fresh, cancellationToken).ConfigureAwait(false);
                    failure = BlockDecoder.Validate(block.Span, h, _segment.SegmentId);
                    if (failure is null)
                    {
                        return (h, block);
                    }
                }
            }
            else
            {
                failure = problem;
            }

            if (attempt > 0)
            {
                throw Corrupt($"the block at offset {_cursorOffset} is invalid ({failure})");
            }
        }
    }

    private async Task<ReadOnlyMemory<byte>> EnsureAsync(long offset, int length, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && offset >= _chunkOffset && offset + length <= _chunkOffset + _chunkLength)
        {
            return _chunk.AsMemory((int)(offset - _chunkOffset), length);
        }

        var size = Math.Max(length, _storage.Options.ReadChunkBytes);
        if (_chunk.Length < size)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = ArrayPool<byte>.Shared.Rent(size);
        }

        var limit = _footer?.DataLength ?? long.MaxValue;
        var toRead = (int)Math.Min(size, Math.Max(0, limit - offset));
        var read = 0;
        while (read < toRead)
        {
            var n = await RandomAccess.ReadAsync(_handle!, _chunk.AsMemory(read, toRead - read), offset + read, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        _chunkOffset = offset;
        _chunkLength = read;
        return _chunk.AsMemory(0, Math.Min(length, read));
    }

    private StorageCorruptedException Corrupt(string detail) =>
        new($"Segment {_segment.SegmentId} of log {_segment.LogId} is corrupt: {detail} ('{_files.DataPath}'). " +
            "No data past this point was returned. Restore the file from a backup or truncate the log past this segment.");
}
