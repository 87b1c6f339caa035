using System.Diagnostics;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Leases;
using Woodpecker.Metadata.Sqlite;
using static Woodpecker.Metadata.Tests.TestUtil;

namespace Woodpecker.Metadata.Tests;

public sealed class LeaseKeeperTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "wp-metadata-tests", Guid.NewGuid().ToString("N"));
    private SqliteMetadataStore _store = null!;

    public async Task InitializeAsync() =>
        _store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DataDirectory = _directory });

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Keeps_the_lease_alive_past_several_ttls()
    {
        // Renewal every 250 ms against a 1.8 s deadline: tolerates the timer stalls of a loaded test machine.
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromSeconds(2), RenewInterval = TimeSpan.FromMilliseconds(250), KeepAliveTimeout = TimeSpan.FromMilliseconds(200) };
        await using var keeper = await LeaseKeeper.StartAsync(_store, options);
        await _store.PutAsync("member/a", B("v"), keeper.LeaseId);
        var until = Stopwatch.StartNew();
        while (until.Elapsed < keeper.Ttl * 3)
        {
            Assert.True(keeper.IsValid, $"lease invalid after {until.Elapsed}");
            Assert.True(keeper.TimeToDeadline > TimeSpan.Zero);
            await Task.Delay(100);
        }

        Assert.False(keeper.Lost.IsCancellationRequested);
        Assert.NotNull(await _store.GetAsync("member/a"));
    }

    [Fact]
    public async Task Lost_fires_at_the_local_deadline_when_keep_alives_fail_simulated_fault()
    {
        var faulty = new FaultInjectingMetadataStore(_store);
        // A wide safety margin, so the check below that the holder gives up before the store does tolerates slow timers.
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromSeconds(3), SafetyMargin = TimeSpan.FromSeconds(1) };
        await using var keeper = await LeaseKeeper.StartAsync(faulty, options);
        await _store.PutAsync("member/b", B("v"), keeper.LeaseId);
        await WaitUntilAsync(() => Task.FromResult(faulty.KeepAlives >= 1), TimeSpan.FromSeconds(5), "a keep-alive succeeds");
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = keeper.Lost.Register(() => lost.TrySetResult());

        var faultAt = Stopwatch.StartNew();
        faulty.FailKeepAlives = true;
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = faultAt.Elapsed;

        Assert.False(keeper.IsValid);
        // The deadline is the last successful send + TTL − margin (2 s here), i.e. before the fault + TTL.
        Assert.True(elapsed < keeper.Ttl, $"Lost fired {elapsed} after the fault");
        Assert.True(faulty.KeepAlives >= 2, "the keeper kept retrying");
        // The holder gives up before the store expires the lease: the key is still there at that moment.
        Assert.NotNull(await _store.GetAsync("member/b"));
    }

    [Fact]
    public async Task Lost_fires_when_the_store_says_the_lease_is_gone()
    {
        // A long TTL: Lost can only fire in time because the store answered "lease not found", not by the deadline.
        var options = new LeaseKeeperOptions { Ttl = TimeSpan.FromSeconds(30), RenewInterval = TimeSpan.FromMilliseconds(250) };
        await using var keeper = await LeaseKeeper.StartAsync(_store, options);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = keeper.Lost.Register(() => lost.TrySetResult());
        // Someone else revokes it (an operator, or the store expired it during a pause).
        await _store.RevokeLeaseAsync(keeper.LeaseId);
        var sw = Stopwatch.StartNew();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"Lost fired after {sw.Elapsed}, expected at the next renewal");
        Assert.True(keeper.TimeToDeadline == TimeSpan.Zero);
        Assert.False(keeper.IsValid);
    }

    [Fact]
    public async Task Dispose_revokes_the_lease_and_fires_lost()
    {
        var keeper = await LeaseKeeper.StartAsync(_store, new LeaseKeeperOptions { Ttl = TimeSpan.FromSeconds(30) });
        await _store.PutAsync("reader/1", B("v"), keeper.LeaseId);
        var lost = keeper.Lost;
        await keeper.DisposeAsync();
        Assert.Null(await _store.GetAsync("reader/1"));
        Assert.True(lost.IsCancellationRequested);
        Assert.False(keeper.IsValid);
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.KeepAliveAsync(keeper.LeaseId));
        await keeper.DisposeAsync();
    }

    [Fact]
    public void Options_validation_names_the_bad_setting()
    {
        Assert.Equal(nameof(LeaseKeeperOptions.Ttl), Assert.Throws<ArgumentException>(new LeaseKeeperOptions { Ttl = TimeSpan.Zero }.Validate).ParamName);
        Assert.Equal(nameof(LeaseKeeperOptions.RenewInterval), Assert.Throws<ArgumentException>(new LeaseKeeperOptions { RenewInterval = TimeSpan.FromSeconds(10) }.Validate).ParamName);
        Assert.Equal(nameof(LeaseKeeperOptions.SafetyMargin), Assert.Throws<ArgumentException>(new LeaseKeeperOptions { SafetyMargin = TimeSpan.FromSeconds(-1) }.Validate).ParamName);
        Assert.Equal(nameof(LeaseKeeperOptions.KeepAliveTimeout), Assert.Throws<ArgumentException>(new LeaseKeeperOptions { KeepAliveTimeout = TimeSpan.FromSeconds(5) }.Validate).ParamName);
        new LeaseKeeperOptions().Validate();
    }
}
