using System.Diagnostics;
using Woodpecker.Client;

namespace Woodpecker.Benchmarks;

/// <summary>
/// Small entries appended one at a time, each awaited until durable, against the device's own latency: one write
/// of the same size + fdatasync into a plain file. Rounds alternate raw and log runs with the same count; the
/// headline is the median over rounds of log p50 − raw p50.
/// </summary>
public static class LatencyBenchmark
{
    private const string LogName = "latency";

    // Bounds the sample array when a duration (not a count) decides how many writes a raw run makes.
    private const int MaxSamplesPerSecond = 200_000;

    /// <summary>Runs the benchmark.</summary>
    public static async Task<LatencyResult> RunAsync(
        LatencyOptions options, IProgress<BenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var throttle = new ProgressThrottle(progress);
        using var directory = BenchmarkDirectory.Create(options.DataParent, "latency", options.Keep);
        var capacity = options.Duration is { } duration
            ? (int)Math.Min(int.MaxValue / 2, Math.Ceiling(duration.TotalSeconds * MaxSamplesPerSecond) + 1)
            : options.Count;
        var rawTicks = new long[capacity];
        var payload = RawDisk.RandomBytes(options.EntryBytes);
        var rounds = new List<LatencyRound>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var prefix = $"round {round}/{options.Rounds}";
            var rawPhase = $"{prefix}: raw, {Units.Bytes(options.EntryBytes)} write + fdatasync";
            var rawPath = directory.PathOf($"raw-{round}");
            int count;
            try
            {
                count = await Task.Factory.StartNew(
                    () => RawDisk.MeasureSyncedWrites(rawPath, options.EntryBytes, rawTicks, capacity, options.WarmUp, options.Duration, (done, elapsed) =>
                    {
                        if (throttle.Due)
                        {
                            throttle.Report(rawPhase, options.Duration is { } d ? elapsed / d : (double)done / capacity, $"{done:N0} writes");
                        }
                    }, cancellationToken),
                    cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            finally
            {
                directory.Delete(rawPath);
            }

            var raw = LatencySummary.FromStopwatchTicks(rawTicks, count);
            throttle.Report(rawPhase, 1, $"{count:N0} writes, p50 {Units.Milliseconds(raw.P50Ms)}", force: true);

            var logPhase = $"{prefix}: log, {Units.Bytes(options.EntryBytes)} appends one at a time";
            var log = await MeasureLogAsync(options, directory, $"log-{round}", payload, count, logPhase, throttle, cancellationToken);
            throttle.Report(logPhase, 1, $"{count:N0} appends, p50 {Units.Milliseconds(log.P50Ms)}", force: true);
            rounds.Add(new LatencyRound(round, raw, log));
        }

        return new LatencyResult { EntryBytes = options.EntryBytes, Rounds = rounds };
    }

    private static async Task<LatencySummary> MeasureLogAsync(
        LatencyOptions options, BenchmarkDirectory directory, string name, byte[] payload, int count, string phase,
        ProgressThrottle throttle, CancellationToken cancellationToken)
    {
        var path = directory.PathOf(name);
        try
        {
            await using var client = await WoodpeckerClient.CreateEmbeddedAsync(options.SiloOptions(path), cancellationToken: cancellationToken);
            var log = await client.CreateLogAsync(LogName, cancellationToken);
            await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken);
            for (var i = 0; i < options.WarmUp; i++)
            {
                await writer.AppendAsync(payload, cancellationToken: cancellationToken);
            }

            var ticks = new long[count];
            for (var i = 0; i < count; i++)
            {
                var before = Stopwatch.GetTimestamp();
                await writer.AppendAsync(payload, cancellationToken: cancellationToken);
                ticks[i] = Stopwatch.GetTimestamp() - before;
                if (throttle.Due)
                {
                    throttle.Report(phase, (double)(i + 1) / count, $"{i + 1:N0} appends");
                }
            }

            await writer.CloseAsync(cancellationToken);
            return LatencySummary.FromStopwatchTicks(ticks, count);
        }
        finally
        {
            directory.Delete(path);
        }
    }
}
