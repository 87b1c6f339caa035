namespace Woodpecker.Benchmarks.ObjectStorage;

/// <summary>Result of <see cref="ObjectStorageBenchmark"/>.</summary>
public sealed record ObjectStorageResult
{
    /// <summary>Goal for the write and catch-up ratios (the object storage issue).</summary>
    public const double GoalRatio = 0.85;

    /// <summary>S3 Standard list price of one PUT (or LIST) request, in USD ($0.005 per 1,000).</summary>
    public const double PutPriceUsd = 0.005 / 1000;

    /// <summary>Seconds in a 30-day month, for turning a request rate into a monthly bill.</summary>
    public const double SecondsPerMonth = 30 * 24 * 3600;

    /// <summary>What was measured: the store's URL and bucket, and whether the benchmark started it.</summary>
    public required string Store { get; init; }

    /// <summary>Payload bytes of each throughput entry.</summary>
    public required int EntryBytes { get; init; }

    /// <summary>The log's block object size, which is also the raw runs' object size.</summary>
    public required int BlockBytes { get; init; }

    /// <summary>Uploads in flight at once, for the log and for the raw PUT run alike.</summary>
    public required int Concurrency { get; init; }

    /// <summary>Every round, in the order run.</summary>
    public required IReadOnlyList<ObjectStorageRound> Rounds { get; init; }

    /// <summary>Raw PUT latency of one object the size of a one-entry block.</summary>
    public required LatencySummary RawSmallPut { get; init; }

    /// <summary>Appends one at a time with the configured flush interval (the default trades latency for fewer PUTs).</summary>
    public required ObjectStorageLatencyRun DefaultInterval { get; init; }

    /// <summary>Appends one at a time with a zero flush interval: every append uploads at once.</summary>
    public required ObjectStorageLatencyRun ZeroInterval { get; init; }

    /// <summary>Median of the per-round log ÷ raw PUT ratios.</summary>
    public double MedianWriteRatio => Statistics.Median(Rounds.Select(r => r.WriteRatio));

    /// <summary>Median of the per-round catch-up ÷ raw GET ratios.</summary>
    public double MedianReadRatio => Statistics.Median(Rounds.Select(r => r.ReadRatio));

    /// <summary>Median raw PUT MB/s.</summary>
    public double MedianRawPutMBps => Statistics.Median(Rounds.Select(r => r.RawPutMBps));

    /// <summary>Median log append MB/s.</summary>
    public double MedianLogMBps => Statistics.Median(Rounds.Select(r => r.LogMBps));

    /// <summary>Median raw GET MB/s.</summary>
    public double MedianRawGetMBps => Statistics.Median(Rounds.Select(r => r.RawGetMBps));

    /// <summary>Median catch-up read MB/s.</summary>
    public double MedianCatchUpMBps => Statistics.Median(Rounds.Select(r => r.CatchUpMBps));

    /// <summary>Median PUT requests per second during the log's throughput runs.</summary>
    public double MedianLogPutsPerSecond => Statistics.Median(Rounds.Select(r => r.LogPutsPerSecond));

    /// <summary>Median PUT requests per MB appended during the throughput runs.</summary>
    public double MedianLogPutsPerMegabyte => Statistics.Median(Rounds.Select(r => r.LogPuts / (r.Bytes / Units.Megabyte)));

    /// <summary>The monthly PUT bill of a request rate kept up for a month.</summary>
    public static double MonthlyPutCostUsd(double putsPerSecond) => putsPerSecond * SecondsPerMonth * PutPriceUsd;
}

/// <summary>One round of <see cref="ObjectStorageBenchmark"/>.</summary>
public sealed record ObjectStorageRound
{
    /// <summary>Round number, from 1.</summary>
    public required int Round { get; init; }

    /// <summary>Payload bytes the raw PUT run uploaded and the log then appended.</summary>
    public required long Bytes { get; init; }

    /// <summary>Raw PUTs of block-sized objects, <see cref="ObjectStorageResult.Concurrency"/> at once, in MB/s.</summary>
    public required double RawPutMBps { get; init; }

    /// <summary>One writer, pipelined appends until all are acknowledged, in MB/s of payload.</summary>
    public required double LogMBps { get; init; }

    /// <summary>Raw GETs of the raw run's objects, as many at once as a reader's read-ahead, in MB/s.</summary>
    public required double RawGetMBps { get; init; }

    /// <summary>A new reader (fresh service: nothing cached) reading the sealed log from the start, in MB/s of payload.</summary>
    public required double CatchUpMBps { get; init; }

    /// <summary>PUT requests the log made during its run (every attempt).</summary>
    public required long LogPuts { get; init; }

    /// <summary>Time of the log run.</summary>
    public required TimeSpan LogElapsed { get; init; }

    /// <summary>This process's CPU time during the raw PUT run ÷ its wall time (the store's own CPU is not included).</summary>
    public required double RawPutCpuCores { get; init; }

    /// <summary>This process's CPU time during the log run ÷ its wall time.</summary>
    public required double LogCpuCores { get; init; }

    /// <summary>Full (gen-2) garbage collections during the log run.</summary>
    public required int LogGen2Collections { get; init; }

    /// <summary>Log ÷ raw PUT.</summary>
    public double WriteRatio => RawPutMBps <= 0 ? 0 : LogMBps / RawPutMBps;

    /// <summary>Catch-up ÷ raw GET.</summary>
    public double ReadRatio => RawGetMBps <= 0 ? 0 : CatchUpMBps / RawGetMBps;

    /// <summary>PUT requests per second during the log run.</summary>
    public double LogPutsPerSecond => LogElapsed <= TimeSpan.Zero ? 0 : LogPuts / LogElapsed.TotalSeconds;
}

/// <summary>Appends one at a time with one flush interval.</summary>
/// <param name="FlushInterval">The segment's MaxFlushDelay during the run.</param>
/// <param name="Latency">Append latency.</param>
/// <param name="PutsPerSecond">PUT requests per second the run made (one trickling writer).</param>
public sealed record ObjectStorageLatencyRun(TimeSpan FlushInterval, LatencySummary Latency, double PutsPerSecond);
