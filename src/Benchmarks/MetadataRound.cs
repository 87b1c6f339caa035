namespace Woodpecker.Benchmarks;

/// <summary>One round of <see cref="MetadataBenchmark"/>: raw etcd operations, then the service's metadata operations.</summary>
public sealed record MetadataRound
{
    /// <summary>Round number, from 1.</summary>
    public required int Round { get; init; }

    /// <summary>Raw limit: one key put to etcd, each awaited before the next.</summary>
    public required LatencySummary RawPut { get; init; }

    /// <summary>Raw limit: one etcd transaction comparing a key's mod revision and putting it, each awaited before the next.</summary>
    public required LatencySummary RawTxn { get; init; }

    /// <summary>Creating a log through the service (a fresh name each time).</summary>
    public required LatencySummary CreateLog { get; init; }

    /// <summary>Opening a writer on an existing log: the writer-epoch compare-and-swap and what it fences.</summary>
    public required LatencySummary OpenWriter { get; init; }

    /// <summary>The metadata transaction creating each segment of the roll run (compares the writer epoch), wherever it ran.</summary>
    public required LatencySummary SegmentCreate { get; init; }

    /// <summary>How long the writer waited in each roll for the log grain to hand it the next segment.</summary>
    public required LatencySummary RollWait { get; init; }

    /// <summary>Appends one at a time away from roll boundaries (not among the first entries of a segment).</summary>
    public required LatencySummary AppendAwayFromRoll { get; init; }

    /// <summary>The first append in each new segment: the one that waits for the roll.</summary>
    public required LatencySummary AppendAtRoll { get; init; }

    /// <summary>
    /// The appends right after the first one in each new segment (its second and third entries): the old segment's
    /// completion and the next segment's preparation run beside them, off the boundary append.
    /// </summary>
    public required LatencySummary AppendAfterRoll { get; init; }

    /// <summary>
    /// Noise floor of the worst boundary append, in ms: appends away from rolls at the rank that the largest of as many
    /// samples as there were rolls is expected at — what the worst boundary append would be if rolling cost nothing.
    /// </summary>
    public required double OrdinaryWorstMs { get; init; }

    /// <summary>Segment rolls the measured part of the roll run crossed.</summary>
    public int Rolls => AppendAtRoll.Count;

    /// <summary>The worst append at a roll boundary minus the median append away from rolls, in ms.</summary>
    public double WorstStallMs => AppendAtRoll.MaxMs - AppendAwayFromRoll.P50Ms;

    /// <summary>The same for ordinary appends (<see cref="OrdinaryWorstMs"/> minus the median), in ms: the machine's own noise.</summary>
    public double NoiseStallMs => OrdinaryWorstMs - AppendAwayFromRoll.P50Ms;


    /// <summary>The median append at a roll boundary minus the median append away from rolls, in ms.</summary>
    public double MedianStallMs => AppendAtRoll.P50Ms - AppendAwayFromRoll.P50Ms;
}
