namespace Woodpecker.Benchmarks;

/// <summary>One round of <see cref="LatencyBenchmark"/>: raw write + fdatasync, then log appends, the same count.</summary>
/// <param name="Round">Round number, from 1.</param>
/// <param name="Raw">One write + fdatasync of an entry-sized buffer, each.</param>
/// <param name="Log">One append awaited until durable, each.</param>
public sealed record LatencyRound(int Round, LatencySummary Raw, LatencySummary Log)
{
    /// <summary>Log p50 − raw p50, in ms: what the log adds to the device's own latency.</summary>
    public double P50DifferenceMs => Log.P50Ms - Raw.P50Ms;
}
