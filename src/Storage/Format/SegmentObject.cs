namespace Woodpecker.Storage.Format;

/// <summary>One object holding part of a segment's data (object-storage backends).</summary>
/// <param name="Name">The object's name relative to the segment's key prefix.</param>
/// <param name="Length">Its length in bytes.</param>
public sealed record SegmentObject(string Name, long Length);
