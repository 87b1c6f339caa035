using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Woodpecker.Runtime.Invocation;

namespace Woodpecker.Runtime.Tests;

/// <summary>A grain used to observe the runtime's guarantees.</summary>
public interface IProbeGrain : IGrain
{
    /// <summary>Records entry and exit around an await; reports how many turns overlapped.</summary>
    Task<Int32Value> TurnAsync(Int32Value delayMs, CancellationToken cancellationToken);

    /// <summary>Waits (interleaving) until <see cref="ReleaseAsync"/> is called.</summary>
    Task<Empty> WaitForReleaseAsync(Empty request, CancellationToken cancellationToken);

    Task<Empty> ReleaseAsync(Empty request, CancellationToken cancellationToken);

    Task<Int64Value> AppendAsync(Int64Value value, CancellationToken cancellationToken);

    Task<StringValue> GetActivationIdAsync(Empty request, CancellationToken cancellationToken);

    Task<Empty> DeactivateAsync(Empty request, CancellationToken cancellationToken);

    Task<Int32Value> StartTimerAsync(Int32Value periodMs, CancellationToken cancellationToken);

    Task<Empty> BlockAsync(Empty request, CancellationToken cancellationToken);
}

public static class ProbeGrainInterface
{
    public static readonly GrainMethod<IProbeGrain, Int32Value, Int32Value> Turn =
        new("probe.Turn", (g, r, ct) => g.TurnAsync(r, ct), Int32Value.Parser, Int32Value.Parser);

    public static readonly GrainMethod<IProbeGrain, Empty, Empty> WaitForRelease =
        new("probe.WaitForRelease", (g, r, ct) => g.WaitForReleaseAsync(r, ct), Empty.Parser, Empty.Parser,
            new GrainMethodOptions { AlwaysInterleave = true });

    public static readonly GrainMethod<IProbeGrain, Empty, Empty> Release =
        new("probe.Release", (g, r, ct) => g.ReleaseAsync(r, ct), Empty.Parser, Empty.Parser);

    public static readonly GrainMethod<IProbeGrain, Int64Value, Int64Value> Append =
        new("probe.Append", (g, r, ct) => g.AppendAsync(r, ct), Int64Value.Parser, Int64Value.Parser);

    public static readonly GrainMethod<IProbeGrain, Empty, StringValue> GetActivationId =
        new("probe.GetActivationId", (g, r, ct) => g.GetActivationIdAsync(r, ct), Empty.Parser, StringValue.Parser);

    public static readonly GrainMethod<IProbeGrain, Empty, Empty> Deactivate =
        new("probe.Deactivate", (g, r, ct) => g.DeactivateAsync(r, ct), Empty.Parser, Empty.Parser);

    public static readonly GrainMethod<IProbeGrain, Int32Value, Int32Value> StartTimer =
        new("probe.StartTimer", (g, r, ct) => g.StartTimerAsync(r, ct), Int32Value.Parser, Int32Value.Parser);

    public static readonly GrainMethod<IProbeGrain, Empty, Empty> Block =
        new("probe.Block", (g, r, ct) => g.BlockAsync(r, ct), Empty.Parser, Empty.Parser);

    public static readonly GrainInterface<IProbeGrain> Descriptor = new(
        "probe", reference => new ProbeGrainProxy(reference),
        Turn, WaitForRelease, Release, Append, GetActivationId, Deactivate, StartTimer, Block);

    private sealed class ProbeGrainProxy(GrainReference reference) : IProbeGrain
    {
        public Task<Int32Value> TurnAsync(Int32Value delayMs, CancellationToken cancellationToken) => reference.InvokeAsync(Turn, delayMs, cancellationToken);
        public Task<Empty> WaitForReleaseAsync(Empty request, CancellationToken cancellationToken) => reference.InvokeAsync(WaitForRelease, request, cancellationToken);
        public Task<Empty> ReleaseAsync(Empty request, CancellationToken cancellationToken) => reference.InvokeAsync(Release, request, cancellationToken);
        public Task<Int64Value> AppendAsync(Int64Value value, CancellationToken cancellationToken) => reference.InvokeAsync(Append, value, cancellationToken);
        public Task<StringValue> GetActivationIdAsync(Empty request, CancellationToken cancellationToken) => reference.InvokeAsync(GetActivationId, request, cancellationToken);
        public Task<Empty> DeactivateAsync(Empty request, CancellationToken cancellationToken) => reference.InvokeAsync(Deactivate, request, cancellationToken);
        public Task<Int32Value> StartTimerAsync(Int32Value periodMs, CancellationToken cancellationToken) => reference.InvokeAsync(StartTimer, periodMs, cancellationToken);
        public Task<Empty> BlockAsync(Empty request, CancellationToken cancellationToken) => reference.InvokeAsync(Block, request, cancellationToken);
    }
}

/// <summary>What every probe grain reports to the test, keyed by grain key.</summary>
public sealed class ProbeJournal
{
    public ConcurrentDictionary<string, int> Activations { get; } = new();
    public ConcurrentDictionary<string, int> Deactivations { get; } = new();
    public ConcurrentDictionary<string, ConcurrentQueue<long>> Appended { get; } = new();
    public ConcurrentDictionary<string, int> TimerTicks { get; } = new();
    public int MaxConcurrentTurns;
    /// <summary>Turns in progress across every probe grain, and the most ever seen at once.</summary>
    public int TurnsRunningAcrossGrains;
    public int MaxTurnsRunningAcrossGrains;
    public int TimerOverlaps;
    public bool FailActivation;
}

public sealed class ProbeGrain(ProbeJournal journal) : Grain, IProbeGrain
{
    private readonly string _activationId = Guid.NewGuid().ToString("N");
    private readonly List<TaskCompletionSource> _waiters = [];
    private int _running;
    private byte[]? _ballast;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (journal.FailActivation)
        {
            throw new InvalidOperationException("activation refused by the test");
        }

        journal.Activations.AddOrUpdate(Key, 1, (_, n) => n + 1);
        _ballast = new byte[64 * 1024];
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        journal.Deactivations.AddOrUpdate(Key, 1, (_, n) => n + 1);
        _ballast = null;
        return Task.CompletedTask;
    }

    public async Task<Int32Value> TurnAsync(Int32Value delayMs, CancellationToken cancellationToken)
    {
        var now = ++_running;
        InterlockedMax(ref journal.MaxConcurrentTurns, now);
        InterlockedMax(ref journal.MaxTurnsRunningAcrossGrains, Interlocked.Increment(ref journal.TurnsRunningAcrossGrains));
        await Task.Delay(delayMs.Value, cancellationToken);
        await Task.Yield();
        Interlocked.Decrement(ref journal.TurnsRunningAcrossGrains);
        _running--;
        return new Int32Value { Value = now };
    }

    public async Task<Empty> WaitForReleaseAsync(Empty request, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add(waiter);
        await waiter.Task.WaitAsync(cancellationToken);
        return new Empty();
    }

    public Task<Empty> ReleaseAsync(Empty request, CancellationToken cancellationToken)
    {
        foreach (var waiter in _waiters)
        {
            waiter.TrySetResult();
        }

        _waiters.Clear();
        return Task.FromResult(new Empty());
    }

    public Task<Int64Value> AppendAsync(Int64Value value, CancellationToken cancellationToken)
    {
        journal.Appended.GetOrAdd(Key, _ => new ConcurrentQueue<long>()).Enqueue(value.Value);
        return Task.FromResult(value);
    }

    public Task<StringValue> GetActivationIdAsync(Empty request, CancellationToken cancellationToken) =>
        Task.FromResult(new StringValue { Value = _activationId + (_ballast is null ? "" : "") });

    public Task<Empty> DeactivateAsync(Empty request, CancellationToken cancellationToken)
    {
        DeactivateOnIdle();
        return Task.FromResult(new Empty());
    }

    public Task<Int32Value> StartTimerAsync(Int32Value periodMs, CancellationToken cancellationToken)
    {
        RegisterTimer(async ct =>
        {
            var now = ++_running;
            if (now > 1)
            {
                Interlocked.Increment(ref journal.TimerOverlaps);
            }

            await Task.Delay(periodMs.Value * 2, ct);
            journal.TimerTicks.AddOrUpdate(Key, 1, (_, n) => n + 1);
            _running--;
        }, TimeSpan.FromMilliseconds(periodMs.Value), TimeSpan.FromMilliseconds(periodMs.Value));
        return Task.FromResult(periodMs);
    }

    public async Task<Empty> BlockAsync(Empty request, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        return new Empty();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
