namespace Woodpecker;

/// <summary>Where a reader starts.</summary>
public readonly record struct ReadStart
{
    private ReadStart(ReadStartKind kind, LogPosition position)
    {
        Kind = kind;
        Position = position;
    }

    /// <summary>The first entry that has not been truncated.</summary>
    public static ReadStart Earliest { get; } = new(ReadStartKind.Earliest, default);

    /// <summary>The first entry appended after the reader opens (the tail).</summary>
    public static ReadStart Latest { get; } = new(ReadStartKind.Latest, default);

    /// <summary>How the start is given.</summary>
    public ReadStartKind Kind { get; }

    /// <summary>The position, when <see cref="Kind"/> is <see cref="ReadStartKind.Position"/>.</summary>
    public LogPosition Position { get; }

    /// <summary>The entry at <paramref name="position"/> (inclusive).</summary>
    public static ReadStart At(LogPosition position) => new(ReadStartKind.Position, position);

    /// <summary>Parses "earliest", "latest" or "SEGMENT:ENTRY".</summary>
    public static ReadStart Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "earliest" => Earliest,
        "latest" => Latest,
        _ => LogPosition.TryParse(text.Trim(), out var p)
            ? At(p)
            : throw new FormatException($"'{text}' is not a read start; use earliest, latest or SEGMENT:ENTRY."),
    };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ReadStartKind.Earliest => "earliest",
        ReadStartKind.Latest => "latest",
        _ => Position.ToString(),
    };
}

/// <summary>How a <see cref="ReadStart"/> is given.</summary>
public enum ReadStartKind
{
    /// <summary>The first entry not truncated.</summary>
    Earliest,

    /// <summary>Only entries appended after the reader opens.</summary>
    Latest,

    /// <summary>An explicit position.</summary>
    Position,
}
