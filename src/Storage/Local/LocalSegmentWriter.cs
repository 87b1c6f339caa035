using Microsoft.Win32.SafeHandles;
using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.Local;

/// <summary>
/// Appends blocks to a segment's data file: each block is one positional write plus one fdatasync on a disk thread,
/// then a check that no recovery has fenced the segment. Only then is the block acknowledged, which is what makes
/// fencing safe: a recovery creates the fence before it scans, so every acknowledged block was written before the
/// scan began and is part of the recovered segment.
/// </summary>
internal sealed class LocalSegmentWriter : ISegmentWriter
{
    private readonly LocalSegmentStorage _storage;
    private readonly LocalSegmentFiles _files;
    private readonly SegmentAddress _segment;
    private readonly long _writerEpoch;
    private readonly SafeFileHandle _handle;
    private readonly FileStream _writerLock;
    private readonly List<BlockIndexEntry> _blocks = [];
    private long _reservedOffset;
    private long _bytesWritten;
    private int _writing;
    private bool _completed;
    private Exception? _failure;

    public LocalSegmentWriter(LocalSegmentStorage storage, LocalSegmentFiles files, SegmentAddress segment, long writerEpoch, SafeFileHandle handle, FileStream writerLock)
    {
        _writerLock = writerLock;
        _storage = storage;
        _files = files;
        _segment = segment;
        _writerEpoch = writerEpoch;
        _handle = handle;
    }

    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    public async Task WriteBlockAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        var header = BlockHeader.TryRead(block.Span, out var problem)
            ?? throw new ArgumentException($"Not a sealed block: {problem}.", nameof(block));
        var expectedFirst = _blocks.Count == 0 ? 0 : _blocks[^1].EndEntryId;
        if (header.SegmentId != _segment.SegmentId || header.FirstEntryId != expectedFirst || header.BlockLength != block.Length)
        {
            // Recovery would stop at such a block and drop it with everything after it: refuse it before it is acknowledged.
            throw new ArgumentException(
                $"The block (segment {header.SegmentId}, first entry {header.FirstEntryId}) does not continue {_segment} at entry {expectedFirst}.", nameof(block));
        }

        if (_completed)
        {
            throw new InvalidOperationException($"{_segment} is complete; no block can be added after its footer.");
        }

        // Blocks are reserved in call order; their writes may overlap (the next block's write() runs while the
        // previous one's fdatasync does), and each is acknowledged only after an fdatasync that started after its
        // own write finished.
        var offset = _reservedOffset;
        _reservedOffset += block.Length;
        _blocks.Add(new BlockIndexEntry(offset, header.FirstEntryId, header.EntryCount, header.BlockLength));
        Interlocked.Increment(ref _writing);
        try
        {
            await _storage.Io.Run(() =>
            {
                RandomAccess.Write(_handle, block.Span, offset);
                NativeFile.DataSync(_handle, _files.DataPath);

                // A footer written by anyone else ends the segment as surely as a fence does.
                if (File.Exists(_files.FencePath) || File.Exists(_files.FooterPath))
                {
                    throw new WriterFencedException(
                        $"Segment {_segment.SegmentId} of log {_segment.LogId} was fenced by a recovery (a newer writer took over); " +
                        "this block is not acknowledged. Open a new writer if this process should write again.");
                }
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not WoodpeckerException)
        {
            _failure ??= new StorageUnavailableException(
                $"Writing a block to '{_files.DataPath}' failed: {ex.Message} Check free space and permissions; the segment will be recovered from what is on disk.", ex);
            throw _failure;
        }
        catch (Exception ex)
        {
            _failure ??= ex;
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _writing);
        }

        InterlockedMax(ref _bytesWritten, offset + block.Length);
    }

    public async Task<SegmentFooter> CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        if (Volatile.Read(ref _writing) > 0)
        {
            throw new InvalidOperationException($"A block of {_segment} is still being written; complete the segment after every write has finished.");
        }

        _completed = true;
        var entries = _blocks.Count == 0 ? 0 : _blocks[^1].EndEntryId;
        ThrowIfBroken();
        var footer = new SegmentFooter(_segment.SegmentId, _writerEpoch, entries, _reservedOffset, _blocks.ToArray());
        return await _storage.Io.Run(() =>
        {
            if (File.Exists(_files.FencePath) && !File.Exists(_files.FooterPath))
            {
                throw new WriterFencedException(
                    $"Segment {_segment.SegmentId} of log {_segment.LogId} is being recovered by a newer writer; this writer cannot complete it.");
            }

            return LocalSegmentStorage.PublishFooter(_files, footer);
        }).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        _writerLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private void ThrowIfBroken()
    {
        if (_failure is not null)
        {
            throw _failure is WoodpeckerException typed
                ? WoodpeckerException.FromCode(typed.ErrorCode, typed.Message, _failure)
                : new StorageUnavailableException($"An earlier write to {_segment} failed: {_failure.Message}", _failure);
        }
    }
}
