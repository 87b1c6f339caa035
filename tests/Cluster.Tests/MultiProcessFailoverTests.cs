using System.Diagnostics;
using Woodpecker.Client;
using Woodpecker.TestingHost;
using Xunit;
using Xunit.Abstractions;

namespace Woodpecker.Cluster.Tests;

/// <summary>
/// Three real silo processes on a real etcd, sharing a segment directory; clients append continuously to several logs.
/// The silo holding a log is killed with SIGKILL, or frozen with SIGSTOP for longer than its lease TTL and then resumed.
/// </summary>
public sealed class MultiProcessFailoverTests(EtcdFixture etcd, ITestOutputHelper output) : IClassFixture<EtcdFixture>
{
    private const int Logs = 6;

    [Fact]
    public async Task Kill_9_of_the_silo_holding_a_log_moves_it_and_no_acknowledged_entry_is_lost()
    {
        await using var cluster = await ProcessClusterAsync.StartAsync(etcd.Endpoint);
        await using var client = await WoodpeckerClient.ConnectAsync(new ClusterClientOptions { Gateways = [.. cluster.Gateways] });
        await using var load = await LoadAsync.StartAsync(client, "kill9");
        await InProcessClusterTests.WaitUntilAsync(() => load.Checkers.All(c => c.Acknowledged > 100), TimeSpan.FromSeconds(30), "appends on every log");

        // The silo host's health and metrics endpoints (HTTP/1.1, what orchestrators probe).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var silo in cluster.Silos)
        {
            Assert.Equal("serving", (await http.GetStringAsync($"http://127.0.0.1:{silo.HealthPort}/healthz")).Trim());
        }

        var metrics = await http.GetStringAsync($"http://127.0.0.1:{cluster.OwnerOf(load.Checkers[0].LogName).HealthPort}/metrics");
        Assert.Contains("woodpecker_log_entries_appended", metrics, StringComparison.Ordinal);
        Assert.Contains("woodpecker_gateway_append_duration_count", metrics, StringComparison.Ordinal);
        Assert.Contains("woodpecker_silo_members 3", metrics, StringComparison.Ordinal);

        var victim = cluster.OwnerOf(load.Checkers[0].LogName);
        var killedAt = Stopwatch.GetTimestamp();
        await victim.Process.KillAsync();
        await InProcessClusterTests.WaitUntilAsync(
            () => load.Checkers.All(c => c.AcknowledgedSince(killedAt) > 50), TimeSpan.FromSeconds(40), "appends on every log after the kill");
        var resumed = load.Checkers.Select(c => c.FirstAcknowledgementAfter(killedAt)!.Value).Max();
        output.WriteLine($"killed {victim.SiloId}; slowest log resumed {resumed.TotalSeconds:0.00} s after kill -9");
        await load.StopAsync();

        Assert.True(resumed <= TimeSpan.FromSeconds(5), $"appends resumed {resumed.TotalSeconds:0.00} s after kill -9 (limit 5 s)");
        foreach (var checker in load.Checkers)
        {
            await checker.VerifyAsync(client);
        }
    }

    [Fact]
    public async Task A_silo_frozen_past_its_lease_acknowledges_nothing_after_it_resumes_and_steps_down()
    {
        await using var cluster = await ProcessClusterAsync.StartAsync(etcd.Endpoint);
        await using var client = await WoodpeckerClient.ConnectAsync(new ClusterClientOptions { Gateways = [.. cluster.Gateways] });
        await using var load = await LoadAsync.StartAsync(client, "sigstop");
        await InProcessClusterTests.WaitUntilAsync(() => load.Checkers.All(c => c.Acknowledged > 100), TimeSpan.FromSeconds(30), "appends on every log");

        var frozen = cluster.OwnerOf(load.Checkers[0].LogName);
        var pausedAt = Stopwatch.GetTimestamp();
        frozen.Process.Pause();
        await Task.Delay(TimeSpan.FromSeconds(6)); // twice the 3 s lease TTL
        var beforeResume = Stopwatch.GetTimestamp();
        var segmentsBefore = load.Checkers.ToDictionary(c => c.LogName, c => c.PositionsAcknowledgedBefore(pausedAt).Select(p => p.SegmentId).DefaultIfEmpty(-1).Max());
        frozen.Process.Resume();

        // It finds its lease lost on its own clock and exits (code 3) instead of acting for grains it no longer owns.
        Assert.Equal(3, await frozen.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await InProcessClusterTests.WaitUntilAsync(
            () => load.Checkers.All(c => c.AcknowledgedSince(beforeResume) > 50), TimeSpan.FromSeconds(40), "appends on every log after the resume");
        await load.StopAsync();

        var frozenLogs = load.Checkers.Where(c => cluster.OwnerOf(c.LogName) == frozen).Select(c => c.LogName).ToHashSet();
        Assert.Contains(load.Checkers[0].LogName, frozenLogs);
        foreach (var checker in load.Checkers)
        {
            await checker.VerifyAsync(client);
            if (!frozenLogs.Contains(checker.LogName))
            {
                continue; // served by a silo that was never frozen: its segments carry on
            }

            // Everything acknowledged after the resume went to a segment created after the pause, by a writer on a live silo:
            // the frozen silo's segments were fenced and it acknowledged nothing more.
            var stale = checker.PositionsAcknowledgedSince(beforeResume).Where(p => p.SegmentId <= segmentsBefore[checker.LogName]).ToArray();
            Assert.True(stale.Length == 0, $"{checker.LogName}: {stale.Length} entries were acknowledged in pre-pause segments after the resume, e.g. {stale.FirstOrDefault()}");
        }
    }

    /// <summary>Three silo processes with a shared data directory; disposes (kills) them all.</summary>
    private sealed class ProcessClusterAsync : IAsyncDisposable
    {
        private readonly TestDirectory _directory = new("wp-silos");

        private ProcessClusterAsync(string prefix) => Prefix = prefix;

        public string Prefix { get; }

        public List<SiloProcess> Silos { get; } = [];

        public IEnumerable<string> Gateways => Silos.Select(s => s.Endpoint);

        public static async Task<ProcessClusterAsync> StartAsync(string etcdEndpoint)
        {
            var cluster = new ProcessClusterAsync(EtcdFixture.NewPrefix());
            try
            {
                var started = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
                    SiloProcess.StartAsync(etcdEndpoint, cluster.Prefix, cluster._directory.Path, $"proc-silo-{i}", $"zone-{i}")));
                cluster.Silos.AddRange(started);
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        /// <summary>The silo the placement function gives the log to (the one clients send its calls to).</summary>
        public SiloProcess OwnerOf(string logName)
        {
            var ids = Silos.Select(s => s.SiloId).Order(StringComparer.Ordinal).ToArray();
            var owner = ids[Woodpecker.Placement.RendezvousHash.Pick(logName, ids)];
            return Silos.Single(s => s.SiloId == owner);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var silo in Silos)
            {
                await silo.DisposeAsync();
            }

            _directory.Dispose();
        }
    }

    /// <summary>One writer per log, appending until stopped.</summary>
    private sealed class LoadAsync : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(120));
        private readonly List<Task> _running = [];
        private readonly List<LogWriter> _writers = [];

        public List<AckedEntriesChecker> Checkers { get; } = [];

        public static async Task<LoadAsync> StartAsync(WoodpeckerClient client, string prefix)
        {
            var load = new LoadAsync();
            for (var i = 0; i < Logs; i++)
            {
                var name = $"{prefix}-{i}";
                var log = await client.CreateLogAsync(name);
                var writer = await log.OpenWriterAsync();
                var checker = new AckedEntriesChecker(name);
                load._writers.Add(writer);
                load.Checkers.Add(checker);
                load._running.Add(checker.RunAsync(writer, load._stop.Token, inFlight: 4));
            }

            return load;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(60));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var writer in _writers)
            {
                await writer.DisposeAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
            }

            _stop.Dispose();
        }
    }
}
