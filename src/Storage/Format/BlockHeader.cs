using System.Buffers.Binary;

namespace Woodpecker.Storage.Format;

/// <summary>
/// The 48-byte header of a block. Layout (little-endian): magic u32, version u16, header size u16, block length
/// u32 (header included), entry count u32, segment id i64, first entry id i64, writer epoch i64, flags u32,
/// CRC-32C of the preceding 44 bytes u32.
/// </summary>
public readonly record struct BlockHeader(int BlockLength, int EntryCount, long SegmentId, long FirstEntryId, long WriterEpoch)
{
    /// <summary>Writes the header into the first 48 bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, FormatConstants.BlockMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], FormatConstants.CurrentVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], FormatConstants.BlockHeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], BlockLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], EntryCount);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], SegmentId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], FirstEntryId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], WriterEpoch);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[44..], Crc32C.Compute(destination[..44]));
    }

    /// <summary>Reads and checks a header; returns null (with the reason) when the bytes are not a valid header.</summary>
    public static BlockHeader? TryRead(ReadOnlySpan<byte> source, out string? problem)
    {
        problem = null;
        if (source.Length < FormatConstants.BlockHeaderSize)
        {
            problem = "too few bytes for a block header";
            return null;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != FormatConstants.BlockMagic)
        {
            problem = "no block magic";
            return null;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[44..]) != Crc32C.Compute(source[..44]))
        {
            problem = "block header checksum mismatch";
            return null;
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        if (version is 0 or > FormatConstants.CurrentVersion)
        {
            problem = $"block format version {version} is not supported (this build reads up to {FormatConstants.CurrentVersion}); upgrade Woodpecker";
            return null;
        }

        var headerSize = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(source[8..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        if (headerSize != FormatConstants.BlockHeaderSize || length < headerSize || length > FormatConstants.MaxBlockLength
            || count < 0 || (long)count * FormatConstants.RecordPrefixSize > length - headerSize)
        {
            problem = "block header fields out of range";
            return null;
        }

        return new BlockHeader(
            length,
            count,
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[32..]));
    }
}
