using System.Diagnostics;
using System.Runtime;
using Woodpecker.Client;
using Woodpecker.Errors;
using Woodpecker.Runtime;
using Woodpecker.Silo.Embedded;

namespace Woodpecker.Benchmarks;

/// <summary>
/// Idle logs hold no memory: sets up many logs (create, open a writer, append one entry, close), measures the
/// managed heap with all of them active, then lowers the idle age and waits until the silo holds no activation,
/// and compares the heap with the baseline taken before the first log (and, for context, with a warm baseline
/// taken after one log went through the same life cycle).
/// </summary>
public static class IdleLogsBenchmark
{
    // With HoldActiveUntilPeak, activations must all still be alive when the peak is measured, however long setting
    // up the logs takes; the short idle age is put in force only after that (the collector reads the runtime's
    // options at each pass).
    private static readonly TimeSpan HoldAge = TimeSpan.FromHours(1);

    private const int MaxAttempts = 20;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs the benchmark.</summary>
    public static async Task<IdleLogsResult> RunAsync(
        IdleLogsOptions options, IProgress<BenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var throttle = new ProgressThrottle(progress);
        using var directory = BenchmarkDirectory.Create(options.DataParent, "idle-logs", options.Keep);
        var silo = new EmbeddedSiloOptions { DataDirectory = directory.PathOf("data") };
        var setupAge = options.HoldActiveUntilPeak ? HoldAge : options.IdleDeactivationAge;
        silo.Runtime.IdleDeactivationAge = setupAge;
        silo.Runtime.CollectionInterval = options.CollectionInterval;
        silo.Log.SegmentIdleCompleteAge = options.SegmentIdleCompleteAge;

        await using var client = await WoodpeckerClient.CreateEmbeddedAsync(silo, cancellationToken: cancellationToken);
        var runtime = client.EmbeddedSilo!.Host.Runtime;
        var baselineHeap = Heap();
        var baselineWorkingSet = WorkingSet();
        var payload = RawDisk.RandomBytes(options.EntryBytes);
        var retries = 0;

        async Task SetUpLogsAsync(string prefix, int count, string phase, Action afterEach)
        {
            var done = 0;
            await Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    await SetUpLogAsync(client, $"{prefix}-{i:D6}", payload, () => Interlocked.Increment(ref retries), ct);
                    var finished = Interlocked.Increment(ref done);
                    afterEach();
                    throttle.Report(phase, (double)finished / count, $"{finished:N0} logs, {runtime.ActivationCount:N0} activations");
                });
        }

        // The baseline the headline compares with is the service at steady state: a warm-up round of a tenth as many
        // logs, set up and left to go idle, loads code paths and grows pools, dictionaries and caches to the size they
        // keep for the life of the process whatever the number of logs. Idle logs must add nothing beyond that.
        var warmUpLogs = Math.Max(100, options.Logs / 10);
        var warmUpPhase = $"warm-up: {warmUpLogs:N0} logs set up, then left idle";
        await SetUpLogsAsync("idle-warm-up", warmUpLogs, warmUpPhase, () => { });
        runtime.Options.IdleDeactivationAge = options.IdleDeactivationAge;
        await WaitForNoActivationsAsync(runtime, options.IdleTimeout, warmUpPhase, throttle, cancellationToken);
        runtime.Options.IdleDeactivationAge = setupAge;
        var warmBaselineHeap = Heap();

        var setupPhase = $"setting up {options.Logs:N0} logs (create, open writer, append {Units.Bytes(options.EntryBytes)}, close)";
        var mostActive = 0;
        var setupStart = Stopwatch.GetTimestamp();
        await SetUpLogsAsync("idle", options.Logs, setupPhase, () =>
        {
            var active = runtime.ActivationCount;
            int seen;
            while (active > (seen = Volatile.Read(ref mostActive)) && Interlocked.CompareExchange(ref mostActive, active, seen) != seen)
            {
            }
        });
        var setupElapsed = Stopwatch.GetElapsedTime(setupStart);
        throttle.Report(setupPhase, 1, $"{options.Logs:N0} logs in {setupElapsed.TotalSeconds:0.0} s", force: true);

        var activationsAtPeak = runtime.ActivationCount;
        var peakHeap = Heap();
        var peakWorkingSet = WorkingSet();

        runtime.Options.IdleDeactivationAge = options.IdleDeactivationAge;
        var idlePhase = $"waiting for idle deactivation (idle age {options.IdleDeactivationAge.TotalSeconds:0.#} s)";
        var idleStart = Stopwatch.GetTimestamp();
        var left = await WaitForNoActivationsAsync(runtime, options.IdleTimeout, idlePhase, throttle, cancellationToken);
        var idleElapsed = Stopwatch.GetElapsedTime(idleStart);
        var idleHeap = Heap();
        var idleWorkingSet = WorkingSet();

        return new IdleLogsResult
        {
            Logs = options.Logs,
            EntryBytes = options.EntryBytes,
            BaselineHeapBytes = baselineHeap,
            WarmBaselineHeapBytes = warmBaselineHeap,
            TransientRetries = retries,
            PeakHeapBytes = peakHeap,
            IdleHeapBytes = idleHeap,
            BaselineWorkingSetBytes = baselineWorkingSet,
            PeakWorkingSetBytes = peakWorkingSet,
            IdleWorkingSetBytes = idleWorkingSet,
            ActivationsAtPeak = activationsAtPeak,
            MostActivationsDuringSetup = Math.Max(mostActive, activationsAtPeak),
            HeldActiveUntilPeak = options.HoldActiveUntilPeak,
            ActivationsLeft = left,
            SetupElapsed = setupElapsed,
            IdleElapsed = idleElapsed,
        };
    }

    private static async Task SetUpLogAsync(WoodpeckerClient client, string name, byte[] payload, Action retried, CancellationToken cancellationToken)
    {
        var log = await RetryTransientAsync(() => client.CreateLogAsync(name, cancellationToken), retried, cancellationToken);
        await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken);
        await writer.AppendAsync(payload, cancellationToken: cancellationToken);
        await writer.CloseAsync(cancellationToken);
    }

    /// <summary>Retries what the service reports as transient (it changed nothing), as its error messages ask.</summary>
    private static async Task<T> RetryTransientAsync<T>(Func<Task<T>> operation, Action retried, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (WoodpeckerException ex) when (ex.IsTransient && attempt < MaxAttempts)
            {
                retried();
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), cancellationToken);
            }
        }
    }

    private static async Task<int> WaitForNoActivationsAsync(
        ActorRuntime runtime, TimeSpan timeout, string phase, ProgressThrottle throttle, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var initial = Math.Max(1, runtime.ActivationCount);
        while (runtime.ActivationCount > 0 && Stopwatch.GetElapsedTime(start) < timeout)
        {
            throttle.Report(phase, 1 - (double)runtime.ActivationCount / initial, $"{runtime.ActivationCount:N0} activations left");
            await Task.Delay(PollInterval, cancellationToken);
        }

        var left = runtime.ActivationCount;
        throttle.Report(phase, 1, $"{left:N0} activations left after {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s", force: true);
        return left;
    }

    /// <summary>Managed heap after a full, blocking, compacting collection (the large object heap included).</summary>
    public static long Heap()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
