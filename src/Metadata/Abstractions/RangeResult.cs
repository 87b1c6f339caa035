namespace Woodpecker.Metadata.Abstractions;

/// <summary>One page of a range read.</summary>
/// <param name="Items">Keys in ascending byte order.</param>
/// <param name="More">True when keys remain after the last one returned.</param>
/// <param name="Revision">The store revision the read saw.</param>
public sealed record RangeResult(IReadOnlyList<KeyValue> Items, bool More, long Revision);
