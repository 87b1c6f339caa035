namespace Woodpecker.Storage.S3;

/// <summary>Where one block of a segment is: which object, where in it, and which entries it holds.</summary>
internal readonly record struct BlockLocation(string ObjectName, long OffsetInObject, int Length, long FirstEntryId, int EntryCount)
{
    public long EndEntryId => FirstEntryId + EntryCount;
}
