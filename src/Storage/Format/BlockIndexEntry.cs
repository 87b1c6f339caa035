namespace Woodpecker.Storage.Format;

/// <summary>Where one block of a segment is and which entries it holds.</summary>
/// <param name="Offset">Byte offset of the block in the segment's data.</param>
/// <param name="FirstEntryId">Id of its first entry.</param>
/// <param name="EntryCount">Number of entries.</param>
/// <param name="Length">Block length in bytes, header included.</param>
public readonly record struct BlockIndexEntry(long Offset, long FirstEntryId, int EntryCount, int Length)
{
    /// <summary>Id one past its last entry.</summary>
    public long EndEntryId => FirstEntryId + EntryCount;
}
