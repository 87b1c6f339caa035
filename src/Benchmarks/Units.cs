using System.Globalization;

namespace Woodpecker.Benchmarks;

/// <summary>How benchmark figures are written for people: binary sizes, decimal MB/s, milliseconds.</summary>
public static class Units
{
    /// <summary>Bytes in a megabyte as rates are given (MB/s, decimal, like disk vendors and dd).</summary>
    public const double Megabyte = 1_000_000;

    /// <summary>"64 KiB", "1.5 GiB", "512 B".</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        var value = bytes;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }

    /// <summary>"812.4 MB/s".</summary>
    public static string Rate(double megabytesPerSecond) =>
        string.Create(CultureInfo.InvariantCulture, $"{megabytesPerSecond:0.0} MB/s");

    /// <summary>"0.412 ms".</summary>
    public static string Milliseconds(double ms) =>
        string.Create(CultureInfo.InvariantCulture, $"{ms:0.000} ms");

    /// <summary>"93.1 %" for 0.931.</summary>
    public static string Percent(double fraction) =>
        string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.0} %");

    /// <summary>MB/s of <paramref name="bytes"/> written in <paramref name="elapsed"/>.</summary>
    public static double MegabytesPerSecond(long bytes, TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero ? 0 : bytes / Megabyte / elapsed.TotalSeconds;
}
