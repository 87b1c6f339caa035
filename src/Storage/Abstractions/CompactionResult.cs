using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.Abstractions;

/// <summary>The outcome of compacting a segment.</summary>
/// <param name="Footer">The new footer (the segment's data is now its objects).</param>
/// <param name="ReplacedObjects">Objects no longer part of the segment, to delete after a grace period.</param>
public sealed record CompactionResult(SegmentFooter Footer, IReadOnlyList<string> ReplacedObjects);
