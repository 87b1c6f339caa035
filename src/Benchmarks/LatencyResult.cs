namespace Woodpecker.Benchmarks;

/// <summary>Result of <see cref="LatencyBenchmark"/>: per-round percentiles and their medians.</summary>
public sealed record LatencyResult
{
    /// <summary>The goal for <see cref="MedianP50DifferenceMs"/> (DESIGN.md section 7), in ms.</summary>
    public const double GoalDifferenceMs = 0.3;

    /// <summary>Payload bytes of each entry.</summary>
    public required int EntryBytes { get; init; }

    /// <summary>Every round, in the order run.</summary>
    public required IReadOnlyList<LatencyRound> Rounds { get; init; }

    /// <summary>Headline: median over rounds of (log p50 − raw p50), in ms.</summary>
    public double MedianP50DifferenceMs => Statistics.Median(Rounds.Select(r => r.P50DifferenceMs));

    /// <summary>Median over rounds of the raw p50, in ms.</summary>
    public double MedianRawP50Ms => Statistics.Median(Rounds.Select(r => r.Raw.P50Ms));

    /// <summary>Median over rounds of the log p50, in ms.</summary>
    public double MedianLogP50Ms => Statistics.Median(Rounds.Select(r => r.Log.P50Ms));

    /// <summary>Median over rounds of the raw p99, in ms.</summary>
    public double MedianRawP99Ms => Statistics.Median(Rounds.Select(r => r.Raw.P99Ms));

    /// <summary>Median over rounds of the log p99, in ms.</summary>
    public double MedianLogP99Ms => Statistics.Median(Rounds.Select(r => r.Log.P99Ms));

    /// <summary>Median over rounds of the raw p99.9, in ms.</summary>
    public double MedianRawP999Ms => Statistics.Median(Rounds.Select(r => r.Raw.P999Ms));

    /// <summary>Median over rounds of the log p99.9, in ms.</summary>
    public double MedianLogP999Ms => Statistics.Median(Rounds.Select(r => r.Log.P999Ms));

    /// <summary>Goal, for printing next to the figure.</summary>
    public double GoalMs { get; init; } = GoalDifferenceMs;

    /// <summary>True when the median p50 difference is within the goal.</summary>
    public bool GoalMet => MedianP50DifferenceMs <= GoalMs;
}
