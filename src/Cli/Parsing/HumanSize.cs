using System.Globalization;

namespace Woodpecker.Cli.Parsing;

/// <summary>
/// Sizes as people write them: "64KiB", "4 MiB", "1.5GiB", "100MB", "512" (bytes). KiB/MiB/GiB/TiB and the short
/// forms K/M/G/T are powers of 1024; KB/MB/GB/TB are powers of 1000, as on disk labels. Case does not matter.
/// </summary>
internal static class HumanSize
{
    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30), ("tib", 1L << 40),
        ("kb", 1_000L), ("mb", 1_000_000L), ("gb", 1_000_000_000L), ("tb", 1_000_000_000_000L),
        ("k", 1L << 10), ("m", 1L << 20), ("g", 1L << 30), ("t", 1L << 40),
        ("b", 1L),
    ];

    /// <summary>Parses a size in bytes; false when the text is not a non-negative size that fits in 64 bits.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.Trim().ToLowerInvariant().AsSpan();
        long factor = 1;
        foreach (var (suffix, value) in Suffixes)
        {
            if (span.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = value;
                span = span[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (span.IsEmpty || !decimal.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var total = number * factor;
        if (total > long.MaxValue)
        {
            return false;
        }

        bytes = (long)decimal.Round(total);
        return true;
    }

    /// <summary>Parses a size, or throws a <see cref="FormatException"/> that says how to write one.</summary>
    public static long Parse(string text) =>
        TryParse(text, out var bytes) ? bytes : throw new FormatException(Explain(text));

    /// <summary>Why <paramref name="text"/> is not a size, and how to write one.</summary>
    public static string Explain(string? text) =>
        $"'{text}' is not a size; write it like 64KiB, 4MiB, 1GiB, 100MB or a number of bytes.";
}
