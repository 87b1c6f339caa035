using System.Buffers.Binary;
using System.Text;

namespace Woodpecker.Storage.Format;

/// <summary>
/// The footer of a completed segment, written last: the commit point of the segment's end. It records how many
/// entries the segment holds, how many data bytes are part of it, and where every block is. Anything in the data
/// beyond <see cref="DataLength"/> (a fenced writer's late blocks, a torn tail) is not part of the segment.
/// Layout (little-endian): magic u32, version u16, reserved u16, segment id i64, writer epoch i64, entry count i64,
/// data length i64, block count i32, flags u32, then per block: offset i64, first entry id i64, entry count i32,
/// length i32; since version 2 the object table: count i32, then per object: name length u16, name (UTF-8),
/// length i64; then CRC-32C of everything before it, u32.
/// </summary>
public sealed record SegmentFooter(long SegmentId, long WriterEpoch, long EntryCount, long DataLength, IReadOnlyList<BlockIndexEntry> Blocks)
{
    /// <summary>
    /// The objects whose concatenation, in this order, is the segment's data (block offsets are positions in that
    /// concatenation). Empty when the data is the backend's single data file (the local backend).
    /// </summary>
    public IReadOnlyList<SegmentObject> Objects { get; init; } = [];

    /// <summary>Encodes the footer (the current footer version).</summary>
    public byte[] Encode()
    {
        var names = Objects.Select(o => Encoding.UTF8.GetBytes(o.Name)).ToArray();
        var objectTable = sizeof(uint) + names.Sum(n => sizeof(ushort) + n.Length + sizeof(long));
        var size = FormatConstants.FooterFixedSize + (Blocks.Count * FormatConstants.FooterIndexEntrySize) + objectTable + sizeof(uint);
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, FormatConstants.FooterMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatConstants.CurrentFooterVersion);
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

        BinaryPrimitives.WriteInt32LittleEndian(span[at..], Objects.Count);
        at += sizeof(uint);
        for (var i = 0; i < names.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], checked((ushort)names[i].Length));
            names[i].CopyTo(span[(at + sizeof(ushort))..]);
            at += sizeof(ushort) + names[i].Length;
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], Objects[i].Length);
            at += sizeof(long);
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
        if (version is 0 or > FormatConstants.CurrentFooterVersion)
        {
            problem = $"footer format version {version} is not supported (this build reads up to {FormatConstants.CurrentFooterVersion}); upgrade Woodpecker";
            return null;
        }

        var blockCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[40..]);
        var indexEnd = FormatConstants.FooterFixedSize + ((long)blockCount * FormatConstants.FooterIndexEntrySize);
        if (blockCount < 0 || indexEnd + sizeof(uint) > bytes.Length || (version == 1 && indexEnd + sizeof(uint) != bytes.Length))
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

        var objects = Array.Empty<SegmentObject>();
        if (version >= 2)
        {
            objects = TryReadObjects(bytes[at..crcAt], out problem)!;
            if (objects is null)
            {
                return null;
            }
        }

        return new SegmentFooter(
            BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]),
            blocks)
        {
            Objects = objects,
        };
    }

    private static SegmentObject[]? TryReadObjects(ReadOnlySpan<byte> table, out string? problem)
    {
        problem = "footer object table malformed";
        if (table.Length < sizeof(uint))
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(table);
        if (count < 0 || count > table.Length)
        {
            return null;
        }

        var objects = new SegmentObject[count];
        var at = sizeof(uint);
        for (var i = 0; i < count; i++)
        {
            if (table.Length - at < sizeof(ushort))
            {
                return null;
            }

            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(table[at..]);
            at += sizeof(ushort);
            if (table.Length - at < nameLength + sizeof(long))
            {
                return null;
            }

            var name = Encoding.UTF8.GetString(table.Slice(at, nameLength));
            at += nameLength;
            objects[i] = new SegmentObject(name, BinaryPrimitives.ReadInt64LittleEndian(table[at..]));
            at += sizeof(long);
        }

        if (at != table.Length)
        {
            return null;
        }

        problem = null;
        return objects;
    }
}
