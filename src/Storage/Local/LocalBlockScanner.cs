using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.Local;

/// <summary>
/// Finds the longest prefix of valid blocks in a segment's data file: blocks whose header and records check out,
/// that belong to the segment, and whose entry ids continue without a gap from 0. Used by recovery, where the first
/// invalid block marks the end (a torn tail that was never acknowledged: acknowledgements follow an fdatasync that
/// covered every earlier block).
/// </summary>
internal static class LocalBlockScanner
{
    public static (List<BlockIndexEntry> Blocks, long ValidLength, long WriterEpoch) Scan(SafeFileHandle handle, long segmentId, int chunkBytes)
    {
        var blocks = new List<BlockIndexEntry>();
        var fileLength = RandomAccess.GetLength(handle);
        long offset = 0;
        long nextEntry = 0;
        long epoch = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes);
        try
        {
            while (offset + FormatConstants.BlockHeaderSize <= fileLength)
            {
                var headerBytes = buffer.AsSpan(0, FormatConstants.BlockHeaderSize);
                if (RandomAccess.Read(handle, headerBytes, offset) < headerBytes.Length)
                {
                    break;
                }

                var header = BlockHeader.TryRead(headerBytes, out _);
                if (header is not { } h || h.FirstEntryId != nextEntry || offset + h.BlockLength > fileLength)
                {
                    break;
                }

                if (h.BlockLength > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(h.BlockLength);
                }

                var block = buffer.AsSpan(0, h.BlockLength);
                if (RandomAccess.Read(handle, block, offset) < block.Length || BlockDecoder.Validate(block, h, segmentId) is not null)
                {
                    break;
                }

                blocks.Add(new BlockIndexEntry(offset, h.FirstEntryId, h.EntryCount, h.BlockLength));
                offset += h.BlockLength;
                nextEntry += h.EntryCount;
                epoch = h.WriterEpoch;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (blocks, offset, epoch);
    }
}
