using System.Diagnostics;
using System.Text;
using Woodpecker.Client;
using Woodpecker.Grains.Logs;
using Woodpecker.Runtime;
using Woodpecker.TestingHost.Cluster;
using Xunit;

namespace Woodpecker.Cluster.Tests;

/// <summary>Three silos in this process (TestCluster) on a real etcd: routing, single activation, failover.</summary>
public sealed class InProcessClusterTests(EtcdFixture etcd, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task Logs_spread_over_the_silos_and_every_silo_serves_every_log()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = await cluster.CreateClientAsync();
        var names = Enumerable.Range(0, 24).Select(i => $"spread-{i}").ToArray();
        foreach (var name in names)
        {
            var log = await client.CreateLogAsync(name);
            await using var writer = await log.OpenWriterAsync();
            for (var i = 0; i < 5; i++)
            {
                await writer.AppendAsync(Encoding.UTF8.GetBytes($"{name}:{i}"));
            }
        }

        var owners = names.Select(n => cluster.FindLogOwner(n)?.SiloId).ToArray();
        Assert.All(owners, Assert.NotNull);
        Assert.True(owners.Distinct().Count() >= 2, "hash placement should use more than one silo for 24 logs");

        // Any silo serves any log: its LogService routes to the owner over the silo-to-silo transport.
        foreach (var silo in cluster.Silos)
        {
            foreach (var name in names.Take(6))
            {
                await using var reader = await silo.Host.Service.OpenReaderAsync(name, ReadStart.Earliest, new Grains.Reading.LogReaderOptions { Follow = false });
                var entries = new List<string>();
                await foreach (var batch in reader.ReadBatchesAsync())
                {
                    entries.AddRange(batch.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
                }

                Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{name}:{i}"), entries);
            }
        }
    }

    [Fact]
    public async Task Concurrent_first_calls_from_every_silo_create_exactly_one_activation()
    {
        // Idle grains deactivate after a second, so every log below can be activated afresh by a race.
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            EtcdEndpoints = [etcd.Endpoint],
            ConfigureSilo = (_, options) =>
            {
                options.Runtime.IdleDeactivationAge = TimeSpan.FromSeconds(1);
                options.Runtime.CollectionInterval = TimeSpan.FromMilliseconds(200);
            },
        });
        await using var client = await cluster.CreateClientAsync();
        var names = Enumerable.Range(0, 10).Select(i => $"race-{i}").ToArray();
        foreach (var name in names)
        {
            await client.CreateLogAsync(name);
        }

        await WaitUntilAsync(() => names.All(n => cluster.FindLogOwner(n) is null), TimeSpan.FromSeconds(20), "idle log grains to deactivate");
        var calls = cluster.Silos.SelectMany(silo => names.Select(name => silo.Host.Service.GetLogAsync(name))).ToArray();
        await Task.WhenAll(calls);
        foreach (var name in names)
        {
            var grain = new GrainId(LogGrainInterface.Descriptor.TypeName, name);
            Assert.Equal(1, cluster.Silos.Count(s => s.Host.Runtime.IsActive(grain)));
        }
    }

    [Fact]
    public async Task Killing_the_silo_that_holds_a_log_moves_it_and_appends_resume_within_five_seconds()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = await cluster.CreateClientAsync();
        var log = await client.CreateLogAsync("failover");
        await using var writer = await log.OpenWriterAsync();
        var checker = new AckedEntriesChecker("failover");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var appending = checker.RunAsync(writer, stop.Token);
        await WaitUntilAsync(() => checker.Acknowledged > 200, TimeSpan.FromSeconds(20), "appends before the kill");

        var owner = cluster.FindLogOwner("failover") ?? throw new InvalidOperationException("The log grain is not active anywhere.");
        var killedAt = Stopwatch.GetTimestamp();
        await cluster.KillSiloAsync(owner);
        await WaitUntilAsync(() => checker.FirstAcknowledgementAfter(killedAt) is not null && checker.AcknowledgedSince(killedAt) > 100, TimeSpan.FromSeconds(30), () => $"appends after the kill ({checker})");
        var resumedAfter = checker.FirstAcknowledgementAfter(killedAt)!.Value;
        await stop.CancelAsync();
        await appending;

        output.WriteLine($"killed {owner.SiloId}: appends resumed {resumedAfter.TotalSeconds:0.000} s later; {checker}");
        Assert.True(resumedAfter <= TimeSpan.FromSeconds(5), $"appends resumed {resumedAfter.TotalSeconds:0.00} s after the kill (limit 5 s)");
        Assert.NotEqual(owner.SiloId, cluster.FindLogOwner("failover")?.SiloId);
        await checker.VerifyAsync(client);
    }

    [Fact]
    public async Task A_graceful_stop_hands_logs_over_without_losing_an_acknowledged_entry()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = await cluster.CreateClientAsync();
        var log = await client.CreateLogAsync("handover");
        await using var writer = await log.OpenWriterAsync();
        var checker = new AckedEntriesChecker("handover");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var appending = checker.RunAsync(writer, stop.Token);
        await WaitUntilAsync(() => checker.Acknowledged > 200, TimeSpan.FromSeconds(20), "appends before the stop");

        var owner = cluster.FindLogOwner("handover")!;
        var stoppedAt = Stopwatch.GetTimestamp();
        await cluster.StopSiloAsync(owner);
        await WaitUntilAsync(() => checker.AcknowledgedSince(stoppedAt) > 100, TimeSpan.FromSeconds(30), () => $"appends after the stop ({checker})");
        await stop.CancelAsync();
        await appending;
        await checker.VerifyAsync(client);
    }

    [Fact]
    public async Task An_activation_whose_directory_entry_was_taken_over_can_write_no_metadata()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = await cluster.CreateClientAsync();
        var log = await client.CreateLogAsync("zombie");
        await using (var writer = await log.OpenWriterAsync())
        {
            await writer.AppendAsync("before"u8.ToArray());
        }

        var owner = cluster.FindLogOwner("zombie") ?? throw new InvalidOperationException("The log grain is not active.");

        // What a silo paused past its lease finds when it resumes: its directory entry expired and another activation
        // claimed the grain (a new key, so a new create revision = a newer epoch). The old activation is still in memory.
        await using var store = etcd.CreateStore();
        var key = $"{cluster.KeyPrefix}/cluster/directory/{LogGrainInterface.Descriptor.TypeName}/zombie";
        Assert.NotNull(await store.GetAsync(key));
        await store.DeleteAsync(key);
        await store.PutAsync(key, "someone-else"u8.ToArray());
        async Task<long> WriterEpochAsync() =>
            (await store.RangeAsync(cluster.KeyPrefix + "/logs/")).Items.Single(kv => kv.Key.EndsWith("/writer", StringComparison.Ordinal)).ModRevision;
        var epochBefore = await WriterEpochAsync();

        // Opening a writer through the stale activation must change nothing: its epoch compare fails.
        var refused = await Assert.ThrowsAsync<Errors.ServiceUnavailableException>(() => owner.Host.Service.OpenWriterAsync("zombie"));
        Assert.Contains("superseded", refused.Message, StringComparison.Ordinal);
        Assert.Equal(epochBefore, await WriterEpochAsync());
    }

    private Task<TestCluster> StartClusterAsync() =>
        TestCluster.StartAsync(new TestClusterOptions { EtcdEndpoints = [etcd.Endpoint], InitialSilos = 3 });

    internal static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) => WaitUntilAsync(condition, timeout, () => what);

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what()}.");
            }

            await Task.Delay(20);
        }
    }
}
