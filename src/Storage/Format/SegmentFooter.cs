using System.Buffers.Binary;

namespace Woodpecker.Storage.Format;

/// <summary>
/// The footer of a completed segment, written last: the commit point of the segment's end. It records how many
/// entries the segment holds, how many data bytes are part of it, and where every block is. Anything in the data
/// beyond <see cref="DataLength"/> (a fenced writer's late blocks, a torn tail) is not part of the segment.
/// Layout (little-endian): magic u32, version u16, reserved u16, segment id i64, writer epoch i64, entry count i64,
/// data length i64, block count i32, flags u32, then per block: offset i64, first entry id i64, entry count i32,
/// length i32; then CRC-32C of everything before it, u32.
/// </summary>
public sealed record SegmentFooter(long SegmentId, long WriterEpoch, long EntryCount, long DataLength, IReadOnlyList<BlockIndexEntry> Blocks)
{
    /// <summary>Encodes the footer.</summary>
    public byte[] Encode()
    {
        var size = FormatConstants.FooterFixedSize + (Blocks.Count * FormatConstants.FooterIndexEntrySize) + sizeof(uint);
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, FormatConstants.FooterMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatConstants.CurrentVersion);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], SegmentId);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], WriterEpoch);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], EntryCount);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], DataLength);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], Blocks.Count);
        var at = FormatConstants.FooterFixedSize;
        foreach (var block in Blocks)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], block.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], block.FirstEntryId);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 16)..], block.EntryCount);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 20)..], block.Length);
            at += FormatConstants.FooterIndexEntrySize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32C.Compute(span[..at]));
        return bytes;
    }

    /// <summary>Decodes and checks a footer; returns null with the reason when it is not a valid footer.</summary>
    public static SegmentFooter? TryDecode(ReadOnlySpan<byte> bytes, out string? problem)
    {
        problem = null;
        if (bytes.Length < FormatConstants.FooterFixedSize + sizeof(uint) || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != FormatConstants.FooterMagic)
        {
            problem = "not a segment footer";
            return null;
        }

        // The version comes before everything else: a later version may lay out the rest (and its CRC) differently.
        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (version is 0 or > FormatConstants.CurrentVersion)
        {
            problem = $"footer format version {version} is not supported (this build reads up to {FormatConstants.CurrentVersion}); upgrade Woodpecker";
            return null;
        }

        var blockCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[40..]);
        var expected = FormatConstants.FooterFixedSize + ((long)blockCount * FormatConstants.FooterIndexEntrySize) + sizeof(uint);
        if (blockCount < 0 || expected != bytes.Length)
        {
            problem = "footer length does not match its block count";
            return null;
        }

        var crcAt = bytes.Length - sizeof(uint);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[crcAt..]) != Crc32C.Compute(bytes[..crcAt]))
        {
            problem = "footer checksum mismatch";
            return null;
        }


        var blocks = new BlockIndexEntry[blockCount];
        var at = FormatConstants.FooterFixedSize;
        for (var i = 0; i < blockCount; i++)
        {
            blocks[i] = new BlockIndexEntry(
                BinaryPrimitives.ReadInt64LittleEndian(bytes[at..]),
                BinaryPrimitives.ReadInt64LittleEndian(bytes[(at + 8)..]),
                BinaryPrimitives.ReadInt32LittleEndian(bytes[(at + 16)..]),
                BinaryPrimitives.ReadInt32LittleEndian(bytes[(at + 20)..]));
            at += FormatConstants.FooterIndexEntrySize;
        }

        return new SegmentFooter(
            BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]),
            blocks);
    }
}
