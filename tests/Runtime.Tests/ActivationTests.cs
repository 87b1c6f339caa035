using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace Woodpecker.Runtime.Tests;

public sealed class ActivationTests
{
    [Fact]
    public async Task Concurrent_first_calls_create_exactly_one_activation()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal);
        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() =>
            runtime.GrainFactory.GetGrain<IProbeGrain>("one").GetActivationIdAsync(new Empty(), default))));

        Assert.Single(ids.Select(i => i.Value).Distinct());
        Assert.Equal(1, journal.Activations["one"]);
    }

    [Fact]
    public async Task Turns_of_one_activation_never_overlap_even_across_awaits()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("turns");

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => grain.TurnAsync(new Int32Value { Value = 1 }, default))));

        Assert.Equal(1, journal.MaxConcurrentTurns);
    }

    [Fact]
    public async Task Different_grains_run_in_parallel()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            runtime.GrainFactory.GetGrain<IProbeGrain>($"p{i}").TurnAsync(new Int32Value { Value = 1_000 }, default)));

        // Counted, not timed (a busy CI machine stretches wall-clock time): serialized grains would never have more
        // than one turn running at once. Activation of 20 grains takes far less than the 1 s each turn lasts.
        Assert.True(journal.MaxTurnsRunningAcrossGrains >= 10,
            $"at most {journal.MaxTurnsRunningAcrossGrains} of 20 grains ran at the same time");
    }

    [Fact]
    public async Task AlwaysInterleave_methods_do_not_block_the_grain()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("interleave");

        var waiting = grain.WaitForReleaseAsync(new Empty(), default);
        await grain.TurnAsync(new Int32Value { Value = 0 }, default); // would deadlock if the wait held the turn
        Assert.False(waiting.IsCompleted);
        await grain.ReleaseAsync(new Empty(), default);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Calls_from_one_caller_are_delivered_in_order_even_when_the_mailbox_overflows()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal, o => o.MailboxCapacity = 4);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("order");

        var calls = Enumerable.Range(0, 5_000).Select(i => grain.AppendAsync(new Int64Value { Value = i }, default)).ToList();
        await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => (long)i), journal.Appended["order"]);
    }

    [Fact]
    public async Task Overflow_beyond_the_limit_is_refused_with_a_typed_error()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal, o =>
        {
            o.MailboxCapacity = 2;
            o.MailboxOverflowLimit = 2;
        });
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("overload");
        var blocked = grain.TurnAsync(new Int32Value { Value = 500 }, default);
        await Task.Delay(50);

        var flood = Enumerable.Range(0, 10).Select(i => grain.AppendAsync(new Int64Value { Value = i }, default)).ToList();
        await Assert.ThrowsAsync<GrainOverloadedException>(() => flood[^1]);
        await blocked;
        Assert.True(flood.Count(t => t.IsCompletedSuccessfully || !t.IsCompleted) >= 4);
    }

    [Fact]
    public async Task A_call_that_exceeds_its_timeout_fails_with_a_timeout_error_and_later_calls_still_work()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal, o => o.DefaultCallTimeout = TimeSpan.FromMilliseconds(300));
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("slow");

        var error = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => grain.BlockAsync(new Empty(), default));
        Assert.Contains("probe.Block", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_whose_caller_gave_up_before_it_started_never_runs()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("skip");
        var busy = grain.TurnAsync(new Int32Value { Value = 300 }, default);
        using var cancel = new CancellationTokenSource();
        var skipped = grain.AppendAsync(new Int64Value { Value = 42 }, cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => skipped);
        await busy;
        await grain.AppendAsync(new Int64Value { Value = 7 }, default);
        Assert.Equal([7L], journal.Appended["skip"]);
    }

    [Fact]
    public async Task A_failed_activation_fails_the_call_and_the_next_call_activates_afresh()
    {
        var journal = new ProbeJournal { FailActivation = true };
        await using var runtime = Runtimes.Create(journal);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("fragile");

        var error = await Assert.ThrowsAsync<GrainActivationException>(() => grain.GetActivationIdAsync(new Empty(), default));
        Assert.IsType<InvalidOperationException>(error.InnerException);

        journal.FailActivation = false;
        await grain.GetActivationIdAsync(new Empty(), default);
        Assert.Equal(1, journal.Activations["fragile"]);
    }
}
