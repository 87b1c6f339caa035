using Woodpecker.Client;

namespace Woodpecker.Benchmarks;

/// <summary>
/// One writer, one log, entries of <see cref="ThroughputOptions.EntryBytes"/>, pipelined, against its limit: plain
/// sequential writes of the same bytes in chunks of the log's block size, each followed by fdatasync. Rounds
/// alternate raw and log runs (A B A B …) so that a noisy disk affects both sides alike; the headline is the median
/// of the per-round ratios.
/// </summary>
public static class ThroughputBenchmark
{
    private const string LogName = "throughput";

    /// <summary>Runs the benchmark.</summary>
    public static async Task<ThroughputResult> RunAsync(
        ThroughputOptions options, IProgress<BenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var blockBytes = options.SiloOptions("unused").Storage.MaxBlockBytes;
        var entryLimit = options.RawEntryTimeLimit ?? options.Duration;
        var payload = RawDisk.RandomBytes(options.EntryBytes);
        var throttle = new ProgressThrottle(progress);
        using var directory = BenchmarkDirectory.Create(options.DataParent, "throughput", options.Keep);
        using var flushes = new FlushStatistics();

        if (options.WarmUpBytes > 0)
        {
            const string phase = "warm-up (not measured)";
            await RawAsync(directory, "raw-warm-up", blockBytes, options.WarmUpBytes, null, phase, throttle, cancellationToken);
            await LogAsync(options, directory, "log-warm-up", payload, options.WarmUpBytes, flushes, phase, throttle, cancellationToken);
        }

        var rounds = new List<ThroughputRound>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var prefix = $"round {round}/{options.Rounds}";
            var raw = await RawAsync(
                directory, $"raw-block-{round}", blockBytes, options.TotalBytes ?? long.MaxValue,
                options.TotalBytes is null ? options.Duration : null, $"{prefix}: raw, {Units.Bytes(blockBytes)} writes + fdatasync", throttle, cancellationToken);
            var rawEntry = await RawAsync(
                directory, $"raw-entry-{round}", options.EntryBytes, raw.Bytes, entryLimit,
                $"{prefix}: raw, {Units.Bytes(options.EntryBytes)} writes + fdatasync (context)", throttle, cancellationToken);
            var log = await LogAsync(options, directory, $"log-{round}", payload, raw.Bytes, flushes, $"{prefix}: log, {Units.Bytes(options.EntryBytes)} appends", throttle, cancellationToken);
            rounds.Add(new ThroughputRound
            {
                Round = round,
                Bytes = raw.Bytes,
                RawBlockMBps = raw.MegabytesPerSecond,
                RawBlockMsPerChunk = raw.MillisecondsPerChunk,
                RawEntryMBps = rawEntry.MegabytesPerSecond,
                LogMBps = Units.MegabytesPerSecond(raw.Bytes, log.Elapsed),
                LogElapsed = log.Elapsed,
                RawCpuCores = raw.Elapsed <= TimeSpan.Zero ? 0 : raw.CpuTime / raw.Elapsed,
                LogCpuCores = log.Elapsed <= TimeSpan.Zero ? 0 : log.CpuTime / log.Elapsed,
                LogGcPause = log.GcPause,
                LogGcCount = log.GcCount,
                LogGen2Count = log.Gen2Count,
                LogBlocks = log.Blocks,
                LogMeanBlockBytes = log.Blocks == 0 ? 0 : (double)log.BlockBytes / log.Blocks,
                LogMsPerFlush = log.Blocks == 0 ? 0 : log.FlushMilliseconds / log.Blocks,
                LogFlushBusy = log.Elapsed <= TimeSpan.Zero ? 0 : log.FlushMilliseconds / log.Elapsed.TotalMilliseconds,
            });
        }

        return new ThroughputResult { EntryBytes = options.EntryBytes, BlockBytes = blockBytes, Rounds = rounds };
    }

    private static async Task<RawWriteResult> RawAsync(
        BenchmarkDirectory directory, string name, int chunkBytes, long maxBytes, TimeSpan? timeLimit, string phase,
        ProgressThrottle throttle, CancellationToken cancellationToken)
    {
        var path = directory.PathOf(name);
        try
        {
            // A dedicated thread: the loop blocks in fdatasync and must not compete for a pool thread.
            var result = await Task.Factory.StartNew(
                () => RawDisk.WriteSequential(path, chunkBytes, maxBytes, timeLimit, (bytes, elapsed) =>
                {
                    if (throttle.Due)
                    {
                        var fraction = timeLimit is { } limit && maxBytes == long.MaxValue ? elapsed / limit : (double)bytes / maxBytes;
                        throttle.Report(phase, fraction, $"{Units.Bytes(bytes)}, {Units.Rate(Units.MegabytesPerSecond(bytes, elapsed))}");
                    }
                }, cancellationToken),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            throttle.Report(phase, 1, $"{Units.Bytes(result.Bytes)}, {Units.Rate(result.MegabytesPerSecond)}", force: true);
            return result;
        }
        finally
        {
            directory.Delete(path);
        }
    }

    private static async Task<LogRun> LogAsync(
        ThroughputOptions options, BenchmarkDirectory directory, string name, byte[] payload, long totalBytes, FlushStatistics flushes,
        string phase, ProgressThrottle throttle, CancellationToken cancellationToken)
    {
        var path = directory.PathOf(name);
        try
        {
            await using var client = await WoodpeckerClient.CreateEmbeddedAsync(options.SiloOptions(path), cancellationToken: cancellationToken);
            var log = await client.CreateLogAsync(LogName, cancellationToken);
            await using var writer = await log.OpenWriterAsync(
                new LogWriterOptions { MaxPendingBytes = options.MaxInFlightBytes + payload.Length }, cancellationToken);

            flushes.Reset();
            var cpu = RawDisk.CpuTime();
            var gcPause = GC.GetTotalPauseDuration();
            var gen0 = GC.CollectionCount(0);
            var gen2 = GC.CollectionCount(2);
            var elapsed = await PipelinedAppends.RunAsync(writer, payload, totalBytes, options.MaxInFlightBytes, (durable, soFar) =>
            {
                if (throttle.Due)
                {
                    throttle.Report(phase, (double)durable / totalBytes, $"{Units.Bytes(durable)}, {Units.Rate(Units.MegabytesPerSecond(durable, soFar))}");
                }
            }, cancellationToken);
            var cpuTime = RawDisk.CpuTime() - cpu;
            var pause = GC.GetTotalPauseDuration() - gcPause;
            var collections = GC.CollectionCount(0) - gen0;
            var fullCollections = GC.CollectionCount(2) - gen2;
            var (blocks, blockBytes, flushMilliseconds) = flushes.Snapshot();
            throttle.Report(phase, 1, $"{Units.Bytes(totalBytes)}, {Units.Rate(Units.MegabytesPerSecond(totalBytes, elapsed))}", force: true);
            await writer.CloseAsync(cancellationToken);
            return new LogRun(elapsed, cpuTime, pause, collections, fullCollections, blocks, blockBytes, flushMilliseconds);
        }
        finally
        {
            directory.Delete(path);
        }
    }

    private readonly record struct LogRun(
        TimeSpan Elapsed, TimeSpan CpuTime, TimeSpan GcPause, int GcCount, int Gen2Count, long Blocks, long BlockBytes, double FlushMilliseconds);
}
