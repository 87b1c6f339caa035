namespace Woodpecker;

/// <summary>
/// Where an entry sits in a log: the segment it was written to and its id within that segment. Entry ids start
/// at 0 in every segment and have no gaps; segment ids only grow. Positions order entries in log order.
/// </summary>
/// <param name="SegmentId">The segment, 0 or more.</param>
/// <param name="EntryId">The entry within the segment, 0 or more.</param>
public readonly record struct LogPosition(long SegmentId, long EntryId) : IComparable<LogPosition>
{
    /// <inheritdoc />
    public int CompareTo(LogPosition other)
    {
        var bySegment = SegmentId.CompareTo(other.SegmentId);
        return bySegment != 0 ? bySegment : EntryId.CompareTo(other.EntryId);
    }

    /// <summary>True when <paramref name="left"/> comes before <paramref name="right"/> in the log.</summary>
    public static bool operator <(LogPosition left, LogPosition right) => left.CompareTo(right) < 0;

    /// <summary>True when <paramref name="left"/> comes after <paramref name="right"/> in the log.</summary>
    public static bool operator >(LogPosition left, LogPosition right) => left.CompareTo(right) > 0;

    /// <summary>True when <paramref name="left"/> is not after <paramref name="right"/>.</summary>
    public static bool operator <=(LogPosition left, LogPosition right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="left"/> is not before <paramref name="right"/>.</summary>
    public static bool operator >=(LogPosition left, LogPosition right) => left.CompareTo(right) >= 0;

    /// <summary>Formats as "segment:entry", the form <see cref="Parse"/> reads.</summary>
    public override string ToString() => $"{SegmentId}:{EntryId}";

    /// <summary>Parses "segment:entry" (both non-negative integers).</summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static LogPosition Parse(string text) =>
        TryParse(text, out var position)
            ? position
            : throw new FormatException($"'{text}' is not a log position; write it as SEGMENT:ENTRY, for example 0:42.");

    /// <summary>Parses "segment:entry" without throwing.</summary>
    public static bool TryParse(string? text, out LogPosition position)
    {
        position = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || !long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, null, out var segment)
            || !long.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, null, out var entry))
        {
            return false;
        }

        position = new LogPosition(segment, entry);
        return true;
    }
}
