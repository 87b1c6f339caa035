using System.Diagnostics;
using System.Text;
using Woodpecker.Errors;
using Woodpecker.Etcd.Protocol;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Etcd;
using Woodpecker.Metadata.Leases;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Etcd.Tests;

/// <summary>The etcd client against a real server that is missing, paused, killed and restarted.</summary>
public sealed class EtcdClientFailureTests
{
    [Fact]
    public async Task An_unreachable_etcd_fails_within_the_call_timeout_with_a_clear_error()
    {
        var deadPort = FreePorts.Next();
        using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [$"http://127.0.0.1:{deadPort}"], CallTimeout = TimeSpan.FromSeconds(2) });
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<EtcdException>(() => client.RangeAsync(new RangeRequest { Key = "k"u8.ToArray() }));

        Assert.Equal(EtcdErrorKind.Unavailable, error.Kind);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Contains($"127.0.0.1:{deadPort}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Check that etcd is running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_fail_over_to_the_next_endpoint()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [$"http://127.0.0.1:{FreePorts.Next()}", etcd.Endpoint] });

        await client.PutAsync(new PutRequest { Key = "failover"u8.ToArray(), Value = "yes"u8.ToArray() });
        var read = await client.RangeAsync(new RangeRequest { Key = "failover"u8.ToArray() });

        Assert.Equal("yes", Encoding.UTF8.GetString(read.Kvs.Single().Value));
        Assert.Equal(new Uri(etcd.Endpoint + "/"), client.CurrentEndpoint);
    }

    [Fact]
    public async Task A_frozen_etcd_does_not_hang_callers_and_work_resumes_when_it_thaws()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = new EtcdMetadataStore(new EtcdClientOptions { Endpoints = [etcd.Endpoint], CallTimeout = TimeSpan.FromSeconds(1) });
        await store.PutAsync("frozen/a", "1"u8.ToArray());

        etcd.Pause();
        try
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAsync<MetadataUnavailableException>(() => store.GetAsync("frozen/a"));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"a call to a frozen etcd took {watch.Elapsed}");
        }
        finally
        {
            etcd.Resume();
        }

        Assert.Equal("1", Encoding.UTF8.GetString((await store.GetAsync("frozen/a"))!.Value.Span));
    }

    [Fact]
    public async Task Writes_resume_after_etcd_restarts_and_every_acknowledged_write_survives()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = new EtcdMetadataStore(new EtcdClientOptions { Endpoints = [etcd.Endpoint], CallTimeout = TimeSpan.FromSeconds(1) });
        var acknowledged = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            if (i == 100)
            {
                await etcd.KillAsync();
            }

            if (i == 150)
            {
                await etcd.RestartAsync();
            }

            try
            {
                await store.PutAsync($"restart/{i:D4}", BitConverter.GetBytes(i));
                acknowledged.Add(i);
            }
            catch (MetadataUnavailableException)
            {
                Assert.InRange(i, 100, 149);
            }
        }

        var stored = await store.RangeAsync("restart/");
        Assert.Equal(acknowledged, stored.Items.Select(kv => BitConverter.ToInt32(kv.Value.Span)));
        Assert.Equal(250, acknowledged.Count);
    }

    [Fact]
    public async Task A_watch_resumes_after_the_connection_drops_without_losing_or_repeating_events()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = new EtcdMetadataStore(new EtcdClientOptions { Endpoints = [etcd.Endpoint], CallTimeout = TimeSpan.FromSeconds(1) })
        {
            MaxWatchRetryDelay = TimeSpan.FromMilliseconds(200),
        };
        var start = await store.PutAsync("watched/0", "0"u8.ToArray());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in store.WatchAsync("watched/", start, stop.Token))
            {
                lock (seen)
                {
                    seen.Add(e.Item.Key);
                }

                if (e.Item.Key == "watched/9")
                {
                    return;
                }
            }
        });

        for (var i = 1; i < 5; i++)
        {
            await store.PutAsync($"watched/{i}", "x"u8.ToArray());
        }

        await WaitFor(() => seen.Count >= 5, "the first five events");
        await etcd.KillAsync();
        await Task.Delay(500);
        await etcd.RestartAsync();
        for (var i = 5; i < 10; i++)
        {
            await store.PutAsync($"watched/{i}", "x"u8.ToArray());
        }

        await watching.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"watched/{i}"), seen);

        async Task WaitFor(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (true)
            {
                lock (seen)
                {
                    if (condition())
                    {
                        return;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
                await Task.Delay(20);
            }
        }
    }

    [Fact]
    public async Task An_expired_lease_takes_its_keys_and_a_keeper_notices_before_etcd_does()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var store = new EtcdMetadataStore(new EtcdClientOptions { Endpoints = [etcd.Endpoint], CallTimeout = TimeSpan.FromSeconds(1) });

        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await store.PutAsync("leased/key", "v"u8.ToArray(), lease.Id);
        Assert.NotNull(await store.GetAsync("leased/key"));
        await Task.Delay(lease.Ttl + TimeSpan.FromSeconds(2));
        Assert.Null(await store.GetAsync("leased/key"));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.KeepAliveAsync(lease.Id));

        // A keeper whose etcd freezes must give its lease up by its own clock, no later than etcd would.
        await using var keeper = await LeaseKeeper.StartAsync(store, new LeaseKeeperOptions { Ttl = TimeSpan.FromSeconds(3) });
        etcd.Pause();
        var frozenAt = Stopwatch.StartNew();
        try
        {
            var lost = new TaskCompletionSource();
            using var registration = keeper.Lost.Register(() => lost.TrySetResult());
            await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(frozenAt.Elapsed <= TimeSpan.FromSeconds(3), $"the keeper noticed after {frozenAt.Elapsed}, past the TTL");
            Assert.False(keeper.IsValid);
        }
        finally
        {
            etcd.Resume();
        }
    }
}
