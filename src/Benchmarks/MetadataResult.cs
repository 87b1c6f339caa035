namespace Woodpecker.Benchmarks;

/// <summary>
/// Result of <see cref="MetadataBenchmark"/>: per-round figures, and their medians next to the raw etcd round trip
/// measured in the same run.
/// </summary>
public sealed record MetadataResult
{
    /// <summary>
    /// The goal, in etcd round trips (raw put p50s; the segment-rolling issue): a roll must not stall appends for
    /// longer than one metadata round trip. Checked on the median stall of the first append in each new segment, and
    /// on the longest time any roll blocked the writer's append path (<see cref="WorstRollWaitMs"/>). The worst stall
    /// end to end is reported next to its noise floor: on a shared disk it is the disk's tail, which no roll causes.
    /// </summary>
    public const double GoalStallRoundTrips = 1.0;

    /// <summary>What was measured: the etcd endpoints, and whether the benchmark started etcd itself.</summary>
    public required string Etcd { get; init; }

    /// <summary>Payload bytes of each roll-run entry.</summary>
    public required int EntryBytes { get; init; }

    /// <summary>Entries per segment in the roll run.</summary>
    public required int EntriesPerSegment { get; init; }

    /// <summary>Every round, in the order run.</summary>
    public required IReadOnlyList<MetadataRound> Rounds { get; init; }

    /// <summary>Raw etcd put: medians over rounds.</summary>
    public MetadataFigures RawPut => MetadataFigures.Of(Rounds.Select(r => r.RawPut));

    /// <summary>Raw etcd transaction with one compare: medians over rounds.</summary>
    public MetadataFigures RawTxn => MetadataFigures.Of(Rounds.Select(r => r.RawTxn));

    /// <summary>Create log: medians over rounds.</summary>
    public MetadataFigures CreateLog => MetadataFigures.Of(Rounds.Select(r => r.CreateLog));

    /// <summary>Open writer: medians over rounds.</summary>
    public MetadataFigures OpenWriter => MetadataFigures.Of(Rounds.Select(r => r.OpenWriter));

    /// <summary>Segment creation (the roll's metadata transaction): medians over rounds.</summary>
    public MetadataFigures SegmentCreate => MetadataFigures.Of(Rounds.Select(r => r.SegmentCreate));

    /// <summary>The writer's wait for the next segment at a roll: medians over rounds.</summary>
    public MetadataFigures RollWait => MetadataFigures.Of(Rounds.Select(r => r.RollWait));

    /// <summary>Median over rounds of the median append away from rolls, in ms.</summary>
    public double MedianAppendP50Ms => Statistics.Median(Rounds.Select(r => r.AppendAwayFromRoll.P50Ms));

    /// <summary>Median over rounds of the p99 append away from rolls, in ms (context: how noisy appends are anyway).</summary>
    public double MedianAppendP99Ms => Statistics.Median(Rounds.Select(r => r.AppendAwayFromRoll.P99Ms));

    /// <summary>Headline: median over rounds of the worst roll-boundary append minus the median append, in ms.</summary>
    public double WorstStallMs => Statistics.Median(Rounds.Select(r => r.WorstStallMs));

    /// <summary>Median over rounds of the median roll-boundary append minus the median append, in ms.</summary>
    public double MedianStallMs => Statistics.Median(Rounds.Select(r => r.MedianStallMs));

    /// <summary>Median over rounds of the worst ordinary append minus the median append, in ms (noise floor of <see cref="WorstStallMs"/>).</summary>
    public double NoiseStallMs => Statistics.Median(Rounds.Select(r => r.NoiseStallMs));

    /// <summary>Median over rounds of the longest time one roll blocked the writer (its wait for the next segment), in ms.</summary>
    public double WorstRollWaitMs => Statistics.Median(Rounds.Select(r => r.RollWait.MaxMs));

    /// <summary>Median over rounds of the p50 of the appends right after the first in a new segment, minus the median append, in ms.</summary>
    public double AfterRollStallMs => Statistics.Median(Rounds.Select(r => r.AppendAfterRoll.P50Ms - r.AppendAwayFromRoll.P50Ms));

    /// <summary><see cref="MedianStallMs"/> in raw put p50s (etcd round trips).</summary>
    public double MedianStallRoundTrips => MedianStallMs / RawPut.P50Ms;

    /// <summary><see cref="WorstStallMs"/> in raw put p50s.</summary>
    public double WorstStallRoundTrips => WorstStallMs / RawPut.P50Ms;

    /// <summary><see cref="WorstStallMs"/> in raw put p99s.</summary>
    public double WorstStallP99RoundTrips => WorstStallMs / RawPut.P99Ms;

    /// <summary><see cref="WorstRollWaitMs"/> in raw put p50s.</summary>
    public double WorstRollWaitRoundTrips => WorstRollWaitMs / RawPut.P50Ms;

    /// <summary>True when the median roll stall is within one round trip.</summary>
    public bool MedianStallGoalMet => MedianStallMs <= GoalStallRoundTrips * RawPut.P50Ms;

    /// <summary>True when no roll blocked the writer for longer than one round trip (median over rounds of the longest).</summary>
    public bool RollWaitGoalMet => WorstRollWaitMs <= GoalStallRoundTrips * RawPut.P50Ms;

    /// <summary>True when both stall goals are met.</summary>
    public bool GoalMet => MedianStallGoalMet && RollWaitGoalMet;

    /// <summary>An operation's p50 in etcd round trips (raw put p50s).</summary>
    public double RoundTrips(MetadataFigures figures) => figures.P50Ms / RawPut.P50Ms;
}

/// <summary>Medians over rounds of one operation's latency and sequential rate.</summary>
/// <param name="P50Ms">Median over rounds of the p50, in ms.</param>
/// <param name="P99Ms">Median over rounds of the p99, in ms.</param>
/// <param name="OpsPerSecond">Median over rounds of the sequential rate: one operation at a time, 1000 ÷ mean ms.</param>
public sealed record MetadataFigures(double P50Ms, double P99Ms, double OpsPerSecond)
{
    /// <summary>Medians over the rounds' summaries.</summary>
    public static MetadataFigures Of(IEnumerable<LatencySummary> rounds)
    {
        var list = rounds.ToList();
        return new MetadataFigures(
            Statistics.Median(list.Select(r => r.P50Ms)),
            Statistics.Median(list.Select(r => r.P99Ms)),
            Statistics.Median(list.Select(r => r.MeanMs > 0 ? 1000 / r.MeanMs : 0)));
    }
}
