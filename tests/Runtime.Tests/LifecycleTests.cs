using Google.Protobuf.WellKnownTypes;
using Xunit;

namespace Woodpecker.Runtime.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Idle_activations_are_deactivated_and_the_next_call_reactivates()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal, o =>
        {
            o.IdleDeactivationAge = TimeSpan.FromMilliseconds(200);
            o.CollectionInterval = TimeSpan.FromMilliseconds(50);
        });
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("idle");
        var first = (await grain.GetActivationIdAsync(new Empty(), default)).Value;

        await Runtimes.WaitUntil(() => runtime.ActivationCount == 0, TimeSpan.FromSeconds(5), "idle deactivation");
        Assert.Equal(1, journal.Deactivations["idle"]);

        var second = (await grain.GetActivationIdAsync(new Empty(), default)).Value;
        Assert.NotEqual(first, second);
        Assert.Equal(2, journal.Activations["idle"]);
    }

    [Fact]
    public async Task A_busy_activation_is_not_collected()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal, o =>
        {
            o.IdleDeactivationAge = TimeSpan.FromMilliseconds(100);
            o.CollectionInterval = TimeSpan.FromMilliseconds(20);
        });
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("busy");
        var waiting = grain.WaitForReleaseAsync(new Empty(), default);

        await Task.Delay(500);
        Assert.Equal(1, runtime.ActivationCount);
        await grain.ReleaseAsync(new Empty(), default);
        await waiting;
    }

    [Fact]
    public async Task DeactivateOnIdle_hands_later_calls_to_a_new_activation_only_after_the_old_one_is_gone()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("requested");
        var first = (await grain.GetActivationIdAsync(new Empty(), default)).Value;

        var deactivate = grain.DeactivateAsync(new Empty(), default);
        var next = grain.GetActivationIdAsync(new Empty(), default);
        await deactivate;
        var second = (await next).Value;

        Assert.NotEqual(first, second);
        Assert.Equal(1, journal.Deactivations["requested"]);
        Assert.Equal(2, journal.Activations["requested"]);
    }

    [Fact]
    public async Task Timer_ticks_are_turns_that_never_overlap_and_stop_at_deactivation()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("timer");
        await grain.StartTimerAsync(new Int32Value { Value = 10 }, default);

        for (var i = 0; i < 20; i++)
        {
            await grain.TurnAsync(new Int32Value { Value = 3 }, default);
        }

        await Runtimes.WaitUntil(() => journal.TimerTicks.GetValueOrDefault("timer") >= 5, TimeSpan.FromSeconds(5), "timer ticks");
        Assert.Equal(0, journal.TimerOverlaps);
        Assert.Equal(1, journal.MaxConcurrentTurns);

        await grain.DeactivateAsync(new Empty(), default);
        await Runtimes.WaitUntil(() => runtime.ActivationCount == 0, TimeSpan.FromSeconds(5), "deactivation");
        var ticks = journal.TimerTicks["timer"];
        await Task.Delay(200);
        Assert.Equal(ticks, journal.TimerTicks["timer"]);
    }

    [Fact]
    public async Task Stop_deactivates_every_activation_and_refuses_later_calls()
    {
        var journal = new ProbeJournal();
        var runtime = Runtimes.Create(journal);
        for (var i = 0; i < 100; i++)
        {
            await runtime.GrainFactory.GetGrain<IProbeGrain>($"g{i}").GetActivationIdAsync(new Empty(), default);
        }

        await runtime.StopAsync();

        Assert.Equal(100, journal.Deactivations.Count);
        Assert.Equal(0, runtime.ActivationCount);
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            runtime.GrainFactory.GetGrain<IProbeGrain>("late").GetActivationIdAsync(new Empty(), default));
    }

    [Fact]
    public async Task Thousands_of_idle_grains_release_their_memory()
    {
        var journal = new ProbeJournal();
        await using var runtime = Runtimes.Create(journal, o =>
        {
            // Long enough that activating 5,000 grains on a loaded machine finishes before the first ones go idle.
            o.IdleDeactivationAge = TimeSpan.FromSeconds(10);
            o.CollectionInterval = TimeSpan.FromMilliseconds(100);
        });
        var baseline = MeasureHeap();

        const int grains = 5_000; // each holds 64 KiB while active: ~320 MiB in all
        await Task.WhenAll(Enumerable.Range(0, grains).Select(i =>
            runtime.GrainFactory.GetGrain<IProbeGrain>($"m{i}").GetActivationIdAsync(new Empty(), default)));
        var active = MeasureHeap();
        // Grains still active after the measurement were active during it: the heap held at least their ballast.
        var stillActive = runtime.ActivationCount;
        Assert.True(stillActive >= grains / 2, $"only {stillActive} of {grains} grains were still active when the heap was measured");
        Assert.True(active - baseline > stillActive * 60_000L, $"{stillActive} active grains should hold their ballast (grew {active - baseline} bytes)");

        await Runtimes.WaitUntil(() => runtime.ActivationCount == 0, TimeSpan.FromSeconds(40), "all grains deactivated");
        var idle = MeasureHeap();

        Assert.True(idle - baseline < (active - baseline) / 20,
            $"after deactivation the heap should be back near the baseline: baseline {baseline}, active {active}, idle {idle}");
    }

    private static long MeasureHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
