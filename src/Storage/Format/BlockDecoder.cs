namespace Woodpecker.Storage.Format;

/// <summary>Validates and decodes whole blocks. A block is valid only when its header and every record check out.</summary>
public static class BlockDecoder
{
    /// <summary>
    /// Checks that <paramref name="block"/> (exactly the header's block length) is a complete, valid block of
    /// <paramref name="expectedSegmentId"/>; returns null, or the reason it is not.
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> block, BlockHeader header, long expectedSegmentId)
    {
        if (header.SegmentId != expectedSegmentId)
        {
            return $"block belongs to segment {header.SegmentId}, not {expectedSegmentId}";
        }

        if (block.Length != header.BlockLength)
        {
            return "block cut short";
        }

        var at = FormatConstants.BlockHeaderSize;
        for (var i = 0; i < header.EntryCount; i++)
        {
            var size = RecordCodec.Check(block[at..], out var problem);
            if (size < 0)
            {
                return $"record {i}: {problem}";
            }

            at += size;
        }

        return at == block.Length ? null : "bytes left over after the last record";
    }

    /// <summary>
    /// Decodes the entries of a validated block whose ids fall in [<paramref name="fromEntryId"/>, <paramref name="toEntryIdExclusive"/>)
    /// into <paramref name="output"/>; returns the payload bytes added.
    /// </summary>
    public static long Decode(ReadOnlySpan<byte> block, BlockHeader header, long fromEntryId, long toEntryIdExclusive, List<StoredEntry> output)
    {
        long bytes = 0;
        var at = FormatConstants.BlockHeaderSize;
        for (var i = 0; i < header.EntryCount; i++)
        {
            var entryId = header.FirstEntryId + i;
            var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(block[at..]) + FormatConstants.RecordPrefixSize;
            if (entryId >= toEntryIdExclusive)
            {
                break;
            }

            if (entryId >= fromEntryId)
            {
                var entry = RecordCodec.Decode(block.Slice(at, size), entryId);
                bytes += entry.Payload.Length;
                output.Add(entry);
            }

            at += size;
        }

        return bytes;
    }
}
