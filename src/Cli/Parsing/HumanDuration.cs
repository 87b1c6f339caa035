using System.Globalization;

namespace Woodpecker.Cli.Parsing;

/// <summary>
/// Durations as people write them: "10s", "2m", "500ms", "1h", "1m30s", "1.5s", "90" (seconds) or "00:01:30".
/// </summary>
internal static class HumanDuration
{
    private static readonly (string Unit, double Seconds)[] Units =
    [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ];

    /// <summary>Parses a non-negative duration; false when the text is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
        }

        if (double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plainSeconds))
        {
            return TrySeconds(plainSeconds, out duration);
        }

        // A sequence of number+unit parts, largest first or not: "1h30m", "1m30s", "2m".
        double seconds = 0;
        var span = trimmed.AsSpan();
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            var letters = 0;
            while (letters < span.Length && char.IsAsciiLetter(span[letters]))
            {
                letters++;
            }

            var unit = span[..letters];
            var factor = -1.0;
            foreach (var (name, value) in Units)
            {
                if (unit.SequenceEqual(name))
                {
                    factor = value;
                    break;
                }
            }

            if (factor < 0)
            {
                return false;
            }

            seconds += number * factor;
            span = span[letters..];
        }

        return TrySeconds(seconds, out duration);
    }

    /// <summary>Why <paramref name="text"/> is not a duration, and how to write one.</summary>
    public static string Explain(string? text) =>
        $"'{text}' is not a duration; write it like 500ms, 10s, 2m, 1h or 1m30s.";

    private static bool TrySeconds(double seconds, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
