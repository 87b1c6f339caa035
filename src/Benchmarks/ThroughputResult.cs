namespace Woodpecker.Benchmarks;

/// <summary>Result of <see cref="ThroughputBenchmark"/>: per-round figures and their medians.</summary>
public sealed record ThroughputResult
{
    /// <summary>The goal for <see cref="MedianRatio"/> (DESIGN.md section 7).</summary>
    public const double GoalRatio = 0.90;

    /// <summary>Payload bytes of each entry.</summary>
    public required int EntryBytes { get; init; }

    /// <summary>The log's block size, which is also the raw limit's chunk size.</summary>
    public required int BlockBytes { get; init; }

    /// <summary>Every round, in the order run.</summary>
    public required IReadOnlyList<ThroughputRound> Rounds { get; init; }

    /// <summary>Headline: median over rounds of log MB/s ÷ raw block-size MB/s.</summary>
    public double MedianRatio => Statistics.Median(Rounds.Select(r => r.Ratio));

    /// <summary>Median of the log's MB/s.</summary>
    public double MedianLogMBps => Statistics.Median(Rounds.Select(r => r.LogMBps));

    /// <summary>Median of the raw limit's MB/s (block-size chunks).</summary>
    public double MedianRawBlockMBps => Statistics.Median(Rounds.Select(r => r.RawBlockMBps));

    /// <summary>Median of the context figure: raw MB/s with entry-size chunks.</summary>
    public double MedianRawEntryMBps => Statistics.Median(Rounds.Select(r => r.RawEntryMBps));

    /// <summary>Goal, for printing next to the figure.</summary>
    public double Goal { get; init; } = GoalRatio;

    /// <summary>True when the median ratio reaches the goal.</summary>
    public bool GoalMet => MedianRatio >= Goal;
}
