using Woodpecker.Cluster.Directory;
using Woodpecker.Cluster.Membership;
using Woodpecker.Runtime;
using Woodpecker.Runtime.Directory;
using Xunit;

namespace Woodpecker.Cluster.Tests;

/// <summary>Membership and the grain directory against a real etcd.</summary>
public sealed class MembershipAndDirectoryTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Silos_see_each_other_join_and_a_graceful_leave_at_once()
    {
        var prefix = EtcdFixture.NewPrefix();
        await using var store = etcd.CreateStore();
        await using var a = await ClusterMembership.JoinAsync(store, Options(prefix, "a"));
        await using var b = await ClusterMembership.JoinAsync(store, Options(prefix, "b"));
        await a.WaitForViewAsync(v => v.SiloIds.SequenceEqual(["a", "b"]), Settle);
        Assert.True(b.View.Contains("a"));

        var started = DateTime.UtcNow;
        await b.DisposeAsync();
        await a.WaitForViewAsync(v => v.SiloIds.SequenceEqual(["a"]), Settle);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "a graceful leave must not wait for the lease to expire");
    }

    [Fact]
    public async Task A_crashed_silo_leaves_the_view_when_its_lease_expires()
    {
        var prefix = EtcdFixture.NewPrefix();
        await using var store = etcd.CreateStore();
        await using var a = await ClusterMembership.JoinAsync(store, Options(prefix, "a"));
        var b = await ClusterMembership.JoinAsync(store, Options(prefix, "b"));
        await a.WaitForViewAsync(v => v.Contains("b"), Settle);

        var crashed = DateTime.UtcNow;
        await b.AbandonAsync();
        Assert.False(b.IsServing);
        await a.WaitForViewAsync(v => !v.Contains("b"), Settle);
        var detected = DateTime.UtcNow - crashed;
        Assert.InRange(detected, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Two_silos_with_the_same_id_cannot_both_join()
    {
        var prefix = EtcdFixture.NewPrefix();
        await using var store = etcd.CreateStore();
        await using var a = await ClusterMembership.JoinAsync(store, Options(prefix, "same"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ClusterMembership.JoinAsync(store, Options(prefix, "same")));
        Assert.Contains("unique SiloId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_claims_on_a_grain_end_with_one_owner_and_the_others_learn_who()
    {
        var prefix = EtcdFixture.NewPrefix();
        await using var store = etcd.CreateStore();
        var members = new List<ClusterMembership>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                members.Add(await ClusterMembership.JoinAsync(store, Options(prefix, $"s{i}")));
            }

            var directories = members.Select(m => new EtcdGrainDirectory(store, m, Options(prefix, m.LocalSilo.SiloId))).ToArray();
            for (var round = 0; round < 10; round++)
            {
                var grain = new GrainId("log", $"contended-{round}");
                var outcomes = await Task.WhenAll(directories.Select(async d =>
                {
                    try
                    {
                        return (Won: true, Epoch: await d.RegisterAsync(grain, CancellationToken.None), Owner: "");
                    }
                    catch (GrainNotOwnedHereException lost)
                    {
                        return (Won: false, Epoch: lost.OwnerEpoch, Owner: lost.OwnerSiloId);
                    }
                }));
                Assert.Single(outcomes, o => o.Won);
                var winner = Array.FindIndex(outcomes, o => o.Won);
                Assert.All(outcomes.Where(o => !o.Won), o => Assert.Equal(($"s{winner}", outcomes[winner].Epoch), (o.Owner, o.Epoch)));
                Assert.Equal(($"s{winner}", outcomes[winner].Epoch), (await directories[0].LookupAsync(grain, CancellationToken.None))!.Value);
            }
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_newer_activation_has_a_larger_epoch_and_a_stale_unregister_does_not_remove_it()
    {
        var prefix = EtcdFixture.NewPrefix();
        await using var store = etcd.CreateStore();
        await using var a = await ClusterMembership.JoinAsync(store, Options(prefix, "a"));
        await using var b = await ClusterMembership.JoinAsync(store, Options(prefix, "b"));
        var directoryA = new EtcdGrainDirectory(store, a, Options(prefix, "a"));
        var directoryB = new EtcdGrainDirectory(store, b, Options(prefix, "b"));
        var grain = new GrainId("segment", "7/0");

        var first = await directoryA.RegisterAsync(grain, CancellationToken.None);
        await directoryA.UnregisterAsync(grain, first, CancellationToken.None);
        var second = await directoryB.RegisterAsync(grain, CancellationToken.None);
        Assert.True(second > first);

        // The old activation's late unregistration must not free the new one's claim.
        await directoryA.UnregisterAsync(grain, first, CancellationToken.None);
        Assert.Equal(("b", second), (await directoryA.LookupAsync(grain, CancellationToken.None))!.Value);
    }

    [Fact]
    public async Task A_crashed_silos_claims_lapse_with_its_lease_and_another_silo_takes_over()
    {
        var prefix = EtcdFixture.NewPrefix();
        await using var store = etcd.CreateStore();
        await using var survivor = await ClusterMembership.JoinAsync(store, Options(prefix, "survivor"));
        var crashed = await ClusterMembership.JoinAsync(store, Options(prefix, "crashed"));
        var grain = new GrainId("log", "orders");
        var epoch = await new EtcdGrainDirectory(store, crashed, Options(prefix, "crashed")).RegisterAsync(grain, CancellationToken.None);
        var directory = new EtcdGrainDirectory(store, survivor, Options(prefix, "survivor"));
        await Assert.ThrowsAsync<GrainNotOwnedHereException>(() => directory.RegisterAsync(grain, CancellationToken.None));

        await crashed.AbandonAsync();
        await survivor.WaitForViewAsync(v => !v.Contains("crashed"), Settle);
        Assert.True(await directory.RegisterAsync(grain, CancellationToken.None) > epoch);
    }

    [Fact]
    public async Task A_silo_that_cannot_reach_etcd_stops_serving_before_its_lease_could_expire()
    {
        var prefix = EtcdFixture.NewPrefix();
        await using var store = etcd.CreateStore();
        await using var member = await ClusterMembership.JoinAsync(store, Options(prefix, "isolated"));
        Assert.True(member.IsServing);
        etcd.Server.Pause();
        try
        {
            var paused = DateTime.UtcNow;
            var lost = new TaskCompletionSource();
            using var registration = member.LeaseLost.Register(() => lost.TrySetResult());
            await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(member.IsServing);

            // Self-fencing happens on the silo's own clock, before etcd could let the lease lapse (TTL 3 s).
            Assert.True(DateTime.UtcNow - paused < TimeSpan.FromSeconds(3.2), $"stopped serving after {DateTime.UtcNow - paused}");
        }
        finally
        {
            etcd.Server.Resume();
        }
    }

    private static ClusterOptions Options(string prefix, string siloId) => new()
    {
        SiloId = siloId,
        Endpoint = $"http://127.0.0.1:1/{siloId}",
        KeyPrefix = prefix,
        LeaseTtl = TimeSpan.FromSeconds(3),
    };
}
