namespace Woodpecker.Benchmarks;

/// <summary>One round of <see cref="ThroughputBenchmark"/>: the raw limit, then the log, writing the same bytes.</summary>
public sealed record ThroughputRound
{
    /// <summary>Round number, from 1.</summary>
    public required int Round { get; init; }

    /// <summary>Payload bytes the raw block-size run and the log run each wrote.</summary>
    public required long Bytes { get; init; }

    /// <summary>Raw limit: block-size writes, each followed by fdatasync, in MB/s.</summary>
    public required double RawBlockMBps { get; init; }

    /// <summary>Mean time of one raw block write + fdatasync, in ms.</summary>
    public required double RawBlockMsPerChunk { get; init; }

    /// <summary>Context: entry-size writes, each followed by fdatasync, in MB/s (what syncing every entry costs).</summary>
    public required double RawEntryMBps { get; init; }

    /// <summary>The log: pipelined appends until all are durable, in MB/s of payload.</summary>
    public required double LogMBps { get; init; }

    /// <summary>Process CPU time during the raw block-size run ÷ its wall time (1 = one core busy).</summary>
    public required double RawCpuCores { get; init; }

    /// <summary>Process CPU time during the log run ÷ its wall time (1 = one core busy).</summary>
    public required double LogCpuCores { get; init; }

    /// <summary>Time the garbage collector paused the process during the log run.</summary>
    public required TimeSpan LogGcPause { get; init; }

    /// <summary>Garbage collections during the log run (any generation).</summary>
    public required int LogGcCount { get; init; }

    /// <summary>Of those, gen-2 (full) collections.</summary>
    public required int LogGen2Count { get; init; }

    /// <summary>Time of the log run.</summary>
    public required TimeSpan LogElapsed { get; init; }

    /// <summary>Log ÷ raw block limit.</summary>
    public double Ratio => RawBlockMBps <= 0 ? 0 : LogMBps / RawBlockMBps;

    /// <summary>Blocks the log flushed during the run (from its metrics).</summary>
    public required long LogBlocks { get; init; }

    /// <summary>Mean size of the log's blocks, in bytes (payload plus framing).</summary>
    public required double LogMeanBlockBytes { get; init; }

    /// <summary>Mean time from the start of one block flush to its acknowledgement, in ms.</summary>
    public required double LogMsPerFlush { get; init; }

    /// <summary>
    /// Share of the run's time between a block flush's start and its acknowledgement in the segment. It includes the
    /// hand-off to and from the disk thread, so it overstates how busy the disk itself was.
    /// </summary>
    public required double LogFlushBusy { get; init; }
}
