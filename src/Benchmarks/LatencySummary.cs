using System.Diagnostics;

namespace Woodpecker.Benchmarks;

/// <summary>Exact percentiles of one series of latencies (nearest rank over every sample, no buckets).</summary>
/// <param name="Count">Samples.</param>
/// <param name="P50Ms">Median, in milliseconds.</param>
/// <param name="P99Ms">99th percentile, in milliseconds.</param>
/// <param name="P999Ms">99.9th percentile, in milliseconds.</param>
/// <param name="MeanMs">Mean, in milliseconds.</param>
/// <param name="MaxMs">Largest sample, in milliseconds.</param>
public sealed record LatencySummary(int Count, double P50Ms, double P99Ms, double P999Ms, double MeanMs, double MaxMs)
{
    /// <summary>Summarizes the first <paramref name="count"/> samples, given in Stopwatch ticks; sorts them in place.</summary>
    public static LatencySummary FromStopwatchTicks(long[] ticks, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ticks.Length);
        var samples = ticks.AsSpan(0, count);
        samples.Sort();
        double sum = 0;
        foreach (var sample in samples)
        {
            sum += sample;
        }

        return new LatencySummary(
            count,
            Milliseconds(At(samples, 0.50)),
            Milliseconds(At(samples, 0.99)),
            Milliseconds(At(samples, 0.999)),
            Milliseconds(sum / count),
            Milliseconds(samples[^1]));
    }

    // Nearest rank: the smallest sample with at least p of all samples at or below it.
    private static long At(ReadOnlySpan<long> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Milliseconds(double ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
