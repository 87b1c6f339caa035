using System.Diagnostics;
using Woodpecker.Client;
using Woodpecker.Errors;
using Woodpecker.Placement;
using Woodpecker.Protocol.V1;
using Woodpecker.TestingHost;
using Woodpecker.TestingHost.Cluster;
using Woodpecker.Transport;

namespace Woodpecker.Benchmarks.Cluster;

/// <summary>
/// The cluster against the embedded service and its own limits, in one run: a TestCluster of real silos (HTTP/2 on
/// loopback, membership and directory in a real etcd, a shared segment directory) and an embedded client on the same
/// disk. Measures (1) the routing cost — the same appends embedded and through a silo, alternating round by round, next
/// to one gRPC round trip to a silo; (2) failover — the time from killing the silo that holds a log (crash-like: its
/// lease is abandoned, not revoked) to the next acknowledged append; (3) scale — creating many logs across the cluster,
/// holding many active on one silo, and the memory per active and per idle log.
/// </summary>
public static class ClusterBenchmark
{
    /// <summary>Runs the benchmark.</summary>
    public static async Task<ClusterBenchmarkResult> RunAsync(ClusterBenchmarkOptions options, IProgress<BenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var throttle = new ProgressThrottle(progress);
        using var directory = BenchmarkDirectory.Create(options.DataParent, "cluster", options.Keep);
        EtcdServer? etcd = null;
        if (options.EtcdEndpoints.Count == 0)
        {
            throttle.Report("starting etcd", 0, "", force: true);
            etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
        }

        try
        {
            IList<string> endpoints = options.EtcdEndpoints.Count > 0 ? options.EtcdEndpoints : [etcd!.Endpoint];
            throttle.Report($"starting {options.Silos} silos", 0, "", force: true);
            await using var cluster = await TestCluster.StartAsync(
                new TestClusterOptions { EtcdEndpoints = endpoints, InitialSilos = options.Silos, StorageDirectory = directory.PathOf("cluster") }, cancellationToken)
                .ConfigureAwait(false);
            await using var clusterClient = await cluster.CreateClientAsync(cancellationToken).ConfigureAwait(false);
            var payload = RawDisk.RandomBytes(options.EntryBytes);

            var rounds = new List<RoutingRound>();
            LatencySummary roundTrip;
            await using (var embedded = await WoodpeckerClient.CreateEmbeddedAsync(directory.PathOf("embedded"), cancellationToken).ConfigureAwait(false))
            {
                for (var round = 1; round <= options.Rounds; round++)
                {
                    var phase = $"routing cost: round {round} of {options.Rounds}";
                    throttle.Report(phase, 0, "embedded", force: true);
                    var embeddedLatency = await LatencyAsync(embedded, $"embedded-{round}", payload, options.LatencyAppends, cancellationToken).ConfigureAwait(false);
                    throttle.Report(phase, 0.25, "cluster", force: true);
                    var clusterLatency = await LatencyAsync(clusterClient, $"routed-{round}", payload, options.LatencyAppends, cancellationToken).ConfigureAwait(false);
                    throttle.Report(phase, 0.5, "embedded throughput", force: true);
                    var embeddedRate = await ThroughputAsync(embedded, $"embedded-bulk-{round}", payload, options, cancellationToken).ConfigureAwait(false);
                    throttle.Report(phase, 0.75, "cluster throughput", force: true);
                    var clusterRate = await ThroughputAsync(clusterClient, $"routed-bulk-{round}", payload, options, cancellationToken).ConfigureAwait(false);
                    rounds.Add(new RoutingRound(round, embeddedLatency, clusterLatency, embeddedRate, clusterRate));
                }

                throttle.Report("gRPC round trip to a silo", 0, "", force: true);
                roundTrip = await RoundTripAsync(cluster.Silos[0].Endpoint, options.LatencyAppends, cancellationToken).ConfigureAwait(false);
            }

            var failovers = new List<FailoverRun>();
            for (var i = 0; i < options.Failovers; i++)
            {
                throttle.Report($"failover {i + 1} of {options.Failovers}", 0, "appending", force: true);
                failovers.Add(await FailoverAsync(cluster, clusterClient, $"failover-{i}", payload, cancellationToken).ConfigureAwait(false));
                await cluster.StartSiloAsync(cancellationToken).ConfigureAwait(false);
                await cluster.WaitForMembershipAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            }

            var scale = await ScaleAsync(cluster, clusterClient, payload, options, throttle, cancellationToken).ConfigureAwait(false);
            return new ClusterBenchmarkResult
            {
                Silos = options.Silos,
                LeaseTtl = new TestClusterOptions().LeaseTtl,
                EntryBytes = options.EntryBytes,
                Rounds = rounds,
                RoundTrip = roundTrip,
                Failovers = failovers,
                Scale = scale,
            };
        }
        finally
        {
            if (etcd is not null)
            {
                await etcd.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<LatencySummary> LatencyAsync(WoodpeckerClient client, string name, byte[] payload, int count, CancellationToken cancellationToken)
    {
        var log = await client.CreateLogAsync(name, cancellationToken).ConfigureAwait(false);
        await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < 20; i++)
        {
            await writer.AppendAsync(payload, cancellationToken: cancellationToken).ConfigureAwait(false); // warm the path
        }

        var ticks = new long[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await writer.AppendAsync(payload, cancellationToken: cancellationToken).ConfigureAwait(false);
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }

        return LatencySummary.FromStopwatchTicks(ticks, count);
    }

    private static async Task<double> ThroughputAsync(WoodpeckerClient client, string name, byte[] payload, ClusterBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var log = await client.CreateLogAsync(name, cancellationToken).ConfigureAwait(false);
        await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var elapsed = await PipelinedAppends.RunAsync(
            writer, payload, (long)options.ThroughputAppends * payload.Length, (long)options.InFlight * payload.Length, (_, _) => { }, cancellationToken)
            .ConfigureAwait(false);
        return options.ThroughputAppends / elapsed.TotalSeconds;
    }

    private static async Task<LatencySummary> RoundTripAsync(Uri silo, int count, CancellationToken cancellationToken)
    {
        using var channel = new GrpcChannel(silo);
        var ticks = new long[count];
        for (var i = -20; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await channel.UnaryAsync("/woodpecker.v1.ClusterService/GetMembers", new GetMembersRequest(), GetMembersResponse.Parser, new GrpcCallOptions(TimeSpan.FromSeconds(5), cancellationToken))
                .ConfigureAwait(false);
            if (i >= 0)
            {
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }
        }

        return LatencySummary.FromStopwatchTicks(ticks, count);
    }

    private static async Task<FailoverRun> FailoverAsync(TestCluster cluster, WoodpeckerClient client, string name, byte[] payload, CancellationToken cancellationToken)
    {
        var log = await client.CreateLogAsync(name, cancellationToken).ConfigureAwait(false);
        await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(60));
        long lastAck = 0;
        var unknown = 0;

        async Task AppendLoopAsync()
        {
            var inFlight = new Queue<Task<LogPosition>>();
            while (!stop.IsCancellationRequested)
            {
                inFlight.Enqueue(writer.AppendAsync(payload, cancellationToken: CancellationToken.None));
                if (inFlight.Count < 8)
                {
                    continue;
                }

                try
                {
                    await inFlight.Dequeue().ConfigureAwait(false);
                    Volatile.Write(ref lastAck, Stopwatch.GetTimestamp());
                }
                catch (ServiceUnavailableException)
                {
                    unknown++; // the silo was lost with the append pending: its outcome is unknown (never re-sent)
                }
            }

            foreach (var rest in inFlight)
            {
                await rest.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }

        var appending = Task.Run(AppendLoopAsync, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var owner = cluster.FindLogOwner(name) ?? throw new InvalidOperationException($"The log {name} is active on no silo.");
        var killedAt = Stopwatch.GetTimestamp();
        await cluster.KillSiloAsync(owner).ConfigureAwait(false);

        // Acknowledgements already on their way when the kill began may still arrive; count from the first one sent after
        // the silo was gone.
        var dead = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref lastAck) <= dead && !stop.IsCancellationRequested)
        {
            await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
        }

        var resumed = Volatile.Read(ref lastAck) > dead ? Stopwatch.GetElapsedTime(killedAt, Volatile.Read(ref lastAck)).TotalSeconds : double.NaN;
        await stop.CancelAsync().ConfigureAwait(false);
        await appending.ConfigureAwait(false);
        return new FailoverRun(owner.SiloId, resumed, unknown);
    }

    private static async Task<ScaleRun> ScaleAsync(
        TestCluster cluster, WoodpeckerClient client, byte[] payload, ClusterBenchmarkOptions options, ProgressThrottle throttle, CancellationToken cancellationToken)
    {
        // Warm up first (a tenth as many logs, created and left idle): pools, caches and connections grow to the size they
        // keep whatever the number of logs; idle logs must add nothing beyond that.
        var warmUp = Enumerable.Range(0, Math.Max(100, options.Logs / 10)).Select(i => $"scale-warm-up-{i:D7}").ToArray();
        await Parallel.ForEachAsync(warmUp, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken }, async (name, ct) =>
            await client.CreateLogAsync(name, ct).ConfigureAwait(false)).ConfigureAwait(false);
        SetIdleAge(cluster, TimeSpan.FromSeconds(1));
        await WaitForActivationsAsync(cluster, 0, TimeSpan.FromMinutes(5), "scale: warm-up logs going idle", throttle, cancellationToken).ConfigureAwait(false);
        SetIdleAge(cluster, TimeSpan.FromHours(1));
        var beforeLogs = IdleLogsBenchmark.Heap();
        var names = Enumerable.Range(0, options.Logs).Select(i => $"scale-{i:D7}").ToArray();
        var created = 0;
        var createStart = Stopwatch.GetTimestamp();
        var phase = $"scale: creating {options.Logs:N0} logs";
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken }, async (name, ct) =>
        {
            await client.CreateLogAsync(name, ct).ConfigureAwait(false);
            var done = Interlocked.Increment(ref created);
            throttle.Report(phase, (double)done / options.Logs, $"{done:N0} logs");
        }).ConfigureAwait(false);
        var createSeconds = Stopwatch.GetElapsedTime(createStart).TotalSeconds;

        var siloIds = cluster.Silos.Select(s => s.SiloId).Order(StringComparer.Ordinal).ToArray();
        var perSilo = new int[siloIds.Length];
        foreach (var name in names)
        {
            perSilo[RendezvousHash.Pick(name, siloIds)]++;
        }

        // Let the creates' log grains go idle, then measure the baseline with every log existing but none active.
        SetIdleAge(cluster, TimeSpan.FromSeconds(1));
        await WaitForActivationsAsync(cluster, 0, TimeSpan.FromMinutes(5), "scale: letting created logs go idle", throttle, cancellationToken).ConfigureAwait(false);
        var idleHeap = IdleLogsBenchmark.Heap();
        SetIdleAge(cluster, TimeSpan.FromHours(1));

        var target = cluster.Silos.OrderBy(s => s.SiloId, StringComparer.Ordinal).First();
        var onTarget = names.Where(n => siloIds[RendezvousHash.Pick(n, siloIds)] == target.SiloId).Take(options.ActiveLogs).ToArray();
        var writers = new LogWriter[onTarget.Length];
        var opened = 0;
        var setupStart = Stopwatch.GetTimestamp();
        var activePhase = $"scale: {onTarget.Length:N0} active logs on {target.SiloId}";
        await Parallel.ForEachAsync(Enumerable.Range(0, onTarget.Length), new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var log = await client.OpenLogAsync(onTarget[i], ct).ConfigureAwait(false);
            writers[i] = await log.OpenWriterAsync(cancellationToken: ct).ConfigureAwait(false);
            await writers[i].AppendAsync(payload, cancellationToken: ct).ConfigureAwait(false);
            var done = Interlocked.Increment(ref opened);
            throttle.Report(activePhase, (double)done / onTarget.Length, $"{done:N0} writers");
        }).ConfigureAwait(false);
        var setupSeconds = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
        var activations = target.Host.Runtime.ActivationCount;
        var activeHeap = IdleLogsBenchmark.Heap();

        foreach (var writer in writers)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        SetIdleAge(cluster, TimeSpan.FromSeconds(1));
        await WaitForActivationsAsync(cluster, 0, TimeSpan.FromMinutes(5), "scale: letting active logs go idle", throttle, cancellationToken).ConfigureAwait(false);
        return new ScaleRun(
            options.Logs, createSeconds, perSilo, onTarget.Length, activations,
            (double)(activeHeap - idleHeap) / onTarget.Length,
            (double)(idleHeap - beforeLogs) / options.Logs,
            setupSeconds);
    }

    private static void SetIdleAge(TestCluster cluster, TimeSpan age)
    {
        foreach (var silo in cluster.Silos)
        {
            silo.Host.Runtime.Options.IdleDeactivationAge = age;
        }
    }

    private static async Task WaitForActivationsAsync(TestCluster cluster, int most, TimeSpan timeout, string phase, ProgressThrottle throttle, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var active = cluster.Silos.Sum(s => s.Host.Runtime.ActivationCount);
            throttle.Report(phase, 0, $"{active:N0} activations");
            if (active <= most)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{phase}: {active:N0} activations remained after {timeout.TotalMinutes:0} min.");
            }

            foreach (var silo in cluster.Silos)
            {
                silo.Host.Runtime.CollectIdleActivations();
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }
}
