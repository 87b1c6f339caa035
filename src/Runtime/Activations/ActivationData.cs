using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Woodpecker.Runtime.Diagnostics;
using Woodpecker.Runtime.Timers;

namespace Woodpecker.Runtime.Activations;

/// <summary>
/// One activation of a grain: its instance, its bounded mailbox, and the scheduler that runs its work one item at a
/// time on the thread pool. Everything that touches grain state runs inside the work-item callback, under the
/// activation's synchronization context; the only members other threads use are the enqueue methods and the idle
/// probe.
/// </summary>
internal sealed class ActivationData : IThreadPoolWorkItem
{
    private readonly ActivationCatalog _catalog;
    private readonly GrainClass _grainClass;
    private readonly ActivationData? _predecessor;
    private readonly Channel<GrainCall> _mailbox;
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _continuations = new();
    private readonly ConcurrentQueue<SystemTurn> _systemTurns = new();
    private readonly ActivationSynchronizationContext _context;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<GrainTimer> _timers = [];

    // Scheduler state. _scheduled is shared with enqueuing threads; the rest is touched only inside Execute.
    private int _scheduled;
    private bool _turnRunning;
    private int _callsInFlight;
    private bool _deactivationRequested;
    private int _idleCheckPending;
    private int _overflowing;

    private volatile ActivationState _state = ActivationState.Activating;
    private long _lastActivityTimestamp;
    private long _epoch;
    private bool _registered;
    private Grain? _grain;

    public ActivationData(ActivationCatalog catalog, GrainId id, GrainClass grainClass, ActivationData? predecessor)
    {
        _catalog = catalog;
        Id = id;
        _grainClass = grainClass;
        _predecessor = predecessor;
        _context = new ActivationSynchronizationContext(this);
        _mailbox = Channel.CreateBounded<GrainCall>(new BoundedChannelOptions(catalog.Runtime.Options.MailboxCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _lastActivityTimestamp = catalog.Runtime.TimeProvider.GetTimestamp();
    }

    public GrainId Id { get; }

    public ActorRuntime Runtime => _catalog.Runtime;

    /// <summary>The activation's epoch from the grain directory (0 without a directory). Fixed once activated.</summary>
    public long Epoch => _epoch;

    /// <summary>Completes when the activation has finished deactivating (or failed to activate).</summary>
    public Task Terminated => _terminated.Task;

    /// <summary>True once the activation refuses new calls.</summary>
    public bool IsTerminating => _state >= ActivationState.Deactivating;

    private ILogger Logger => _catalog.Runtime.Logger;

    /// <summary>Queues the activation turn. Called once, by the catalog, after this activation won its slot.</summary>
    public void Start()
    {
        RuntimeMetrics.ActivationsCreated.Add(1);
        _systemTurns.Enqueue(new ActivateTurn());
        Schedule();
    }

    /// <summary>Accepts a call in FIFO order, or refuses it when this activation is going away.</summary>
    public EnqueueResult TryEnqueue(GrainCall call)
    {
        lock (_gate)
        {
            if (_state >= ActivationState.Deactivating)
            {
                return EnqueueResult.Refused;
            }

            if (!_mailbox.Writer.TryWrite(call))
            {
                // The mailbox is full. Channel writers that wait are served in FIFO order, so calls from one caller
                // keep their order; the overflow is bounded so a runaway caller gets an error, not unbounded memory.
                if (Volatile.Read(ref _overflowing) >= _catalog.Runtime.Options.MailboxOverflowLimit)
                {
                    return EnqueueResult.Overloaded;
                }

                Interlocked.Increment(ref _overflowing);
                var pending = _mailbox.Writer.WriteAsync(call, CancellationToken.None);
                _ = TrackOverflowAsync(pending, call);
            }
        }

        Schedule();
        return EnqueueResult.Accepted;
    }

    /// <summary>Queues a continuation of grain code (from the synchronization context).</summary>
    public void EnqueueContinuation(SendOrPostCallback callback, object? state)
    {
        _continuations.Enqueue((callback, state));
        Schedule();
    }

    /// <summary>Queues a system turn (timer tick, idle check). Ignored once the activation is gone.</summary>
    public void EnqueueSystemTurn(SystemTurn turn)
    {
        if (_state == ActivationState.Invalid)
        {
            return;
        }

        _systemTurns.Enqueue(turn);
        Schedule();
    }

    /// <summary>Called by the collector: asks the activation to check, on its own thread, whether it is idle.</summary>
    public void RequestIdleCheck(long nowTimestamp, TimeSpan idleAge)
    {
        if (_state != ActivationState.Valid
            || Runtime.TimeProvider.GetElapsedTime(Volatile.Read(ref _lastActivityTimestamp), nowTimestamp) < idleAge
            || Interlocked.Exchange(ref _idleCheckPending, 1) == 1)
        {
            return;
        }

        EnqueueSystemTurn(new IdleCheckTurn(idleAge));
    }

    /// <summary>Asks for graceful deactivation now (runtime shutdown).</summary>
    public Task DeactivateForShutdownAsync()
    {
        EnqueueSystemTurn(new ShutdownTurn());
        return Terminated;
    }

    /// <summary>
    /// Drops the activation without running OnDeactivateAsync or releasing its directory entry (the silo lost its
    /// lease: another silo may already own the grain, so this one must not act for it any more). Queued calls fail
    /// with <paramref name="error"/>.
    /// </summary>
    public Task AbortAsync(Exception error)
    {
        EnqueueSystemTurn(new AbortTurn(error));
        return Terminated;
    }

    public IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period);
        _timers.Add(timer);
        return timer;
    }

    public void RemoveTimer(GrainTimer timer) => _timers.Remove(timer);

    public void RequestDeactivation() => _deactivationRequested = true;

    void IThreadPoolWorkItem.Execute()
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        try
        {
            var budget = Runtime.Options.MaxWorkItemsPerQuantum;
            while (budget-- > 0 && RunOne())
            {
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        // Release the scheduled flag, then look again: an enqueue that saw the flag set relied on us to notice it.
        Interlocked.Exchange(ref _scheduled, 0);
        if (HasRunnableWork())
        {
            Schedule();
        }
    }

    private void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private bool HasRunnableWork()
    {
        if (!_continuations.IsEmpty)
        {
            return true;
        }

        if (_turnRunning)
        {
            return _state == ActivationState.Valid && _mailbox.Reader.TryPeek(out var head) && head.AlwaysInterleave;
        }

        return !_systemTurns.IsEmpty || (_state == ActivationState.Valid && _mailbox.Reader.Count > 0);
    }

    private bool RunOne()
    {
        if (_continuations.TryDequeue(out var continuation))
        {
            continuation.Callback(continuation.State);
            return true;
        }

        if (_turnRunning)
        {
            // Only calls marked AlwaysInterleave may start while a turn awaits.
            if (_state == ActivationState.Valid
                && _mailbox.Reader.TryPeek(out var head) && head.AlwaysInterleave
                && _mailbox.Reader.TryRead(out var interleaved))
            {
                StartCall(interleaved);
                return true;
            }

            return false;
        }

        if (_systemTurns.TryDequeue(out var turn))
        {
            StartSystemTurn(turn);
            return true;
        }

        if (_state == ActivationState.Valid && _mailbox.Reader.TryRead(out var call))
        {
            StartCall(call);
            return true;
        }

        return false;
    }

    private void StartCall(GrainCall call)
    {
        if (call.CancellationToken.IsCancellationRequested)
        {
            // The caller stopped waiting before the call started: never run it, so a timed-out call has no effect.
            call.Abandon();
            return;
        }

        _callsInFlight++;
        if (!call.AlwaysInterleave)
        {
            _turnRunning = true;
        }

        Touch();
        RuntimeMetrics.CallsStarted.Add(1);
        Task running;
        try
        {
            running = call.Start(_grain!);
        }
        catch (Exception ex)
        {
            running = Task.FromException(ex);
        }

        if (running.IsCompleted)
        {
            FinishCall(call, running);
        }
        else
        {
            // Captures this activation's context, so FinishCall runs on the activation like any continuation.
            running.GetAwaiter().UnsafeOnCompleted(() => FinishCall(call, running));
        }
    }

    private void FinishCall(GrainCall call, Task finished)
    {
        _callsInFlight--;
        if (!call.AlwaysInterleave)
        {
            _turnRunning = false;
        }

        Touch();
        call.Complete(finished);
        BeginRequestedDeactivationIfQuiet();
    }

    private void StartSystemTurn(SystemTurn turn)
    {
        _turnRunning = true;
        Task running;
        try
        {
            running = turn.Run(this);
        }
        catch (Exception ex)
        {
            running = Task.FromException(ex);
        }

        if (running.IsCompleted)
        {
            FinishSystemTurn(turn, running);
        }
        else
        {
            running.GetAwaiter().UnsafeOnCompleted(() => FinishSystemTurn(turn, running));
        }
    }

    private void FinishSystemTurn(SystemTurn turn, Task finished)
    {
        _turnRunning = false;
        turn.Completed(this, finished);
        BeginRequestedDeactivationIfQuiet();
    }

    private void BeginRequestedDeactivationIfQuiet()
    {
        if (!_deactivationRequested || _turnRunning || _callsInFlight > 0 || _state != ActivationState.Valid)
        {
            return;
        }

        lock (_gate)
        {
            _state = ActivationState.Deactivating;
        }

        // Calls still queued are handed to the next activation once this one has finished deactivating.
        _systemTurns.Enqueue(new DeactivateTurn(DeactivationReason.Requested));
    }

    private void Touch() => Volatile.Write(ref _lastActivityTimestamp, Runtime.TimeProvider.GetTimestamp());

    private async Task TrackOverflowAsync(ValueTask pending, GrainCall call)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.Fail(ex);
        }
        finally
        {
            Interlocked.Decrement(ref _overflowing);
            Schedule();
        }
    }

    private async Task ActivateAsync()
    {
        if (_predecessor is not null)
        {
            // One activation per key: never run OnActivateAsync while the previous activation is still deactivating.
            await _predecessor.Terminated;
        }

        try
        {
            if (Runtime.Directory is { } directory)
            {
                // One activation cluster-wide: claim the grain first. Losing the race throws GrainNotOwnedHereException,
                // which every queued call receives as is, so the caller redirects to the owner.
                using var registerTimeout = new CancellationTokenSource(Runtime.Options.ActivationTimeout, Runtime.TimeProvider);
                _epoch = await directory.RegisterAsync(Id, registerTimeout.Token);
                _registered = true;
            }

            var grain = _grainClass.Create(Runtime.Services);
            grain.Bind(this);
            using var timeout = new CancellationTokenSource(Runtime.Options.ActivationTimeout, Runtime.TimeProvider);
            await grain.OnActivateAsync(timeout.Token).WaitAsync(Runtime.Options.ActivationTimeout, Runtime.TimeProvider);
            _grain = grain;
            lock (_gate)
            {
                _state = ActivationState.Valid;
            }

            Touch();
        }
        catch (Exception ex)
        {
            if (ex is Directory.GrainNotOwnedHereException)
            {
                RuntimeLog.ActivationRedirected(Logger, Id, ex.Message);
            }
            else
            {
                RuntimeLog.ActivationFailed(Logger, Id, ex);
            }

            lock (_gate)
            {
                _state = ActivationState.Invalid;
            }

            DisposeTimers();
            await ReleaseRegistrationAsync();
            _catalog.Remove(this);
            _terminated.TrySetResult();
            var error = ex is Directory.GrainNotOwnedHereException ? ex : new GrainActivationException(Id, ex);
            while (_mailbox.Reader.TryRead(out var queued))
            {
                queued.Fail(error);
            }
        }
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Runtime.Options.DeactivationTimeout, Runtime.TimeProvider);
            await _grain!.OnDeactivateAsync(reason, timeout.Token).WaitAsync(Runtime.Options.DeactivationTimeout, Runtime.TimeProvider);
        }
        catch (Exception ex)
        {
            RuntimeLog.DeactivationFailed(Logger, Id, reason, ex);
        }

        DisposeTimers();
        lock (_gate)
        {
            _state = ActivationState.Invalid;
        }

        await ReleaseRegistrationAsync();
        _catalog.Remove(this);
        _grain = null;
        RuntimeMetrics.ActivationsDeactivated.Add(1);
        _terminated.TrySetResult();

        // Calls that were queued before the door closed go to the successor, which waits for Terminated above.
        while (_mailbox.Reader.TryRead(out var queued))
        {
            _catalog.Dispatch(queued);
        }
    }

    private async Task ReleaseRegistrationAsync()
    {
        if (!_registered || Runtime.Directory is not { } directory)
        {
            return;
        }

        _registered = false;
        try
        {
            using var timeout = new CancellationTokenSource(Runtime.Options.DeactivationTimeout, Runtime.TimeProvider);
            await directory.UnregisterAsync(Id, _epoch, timeout.Token);
        }
#pragma warning disable CA1031 // Best effort: an entry left behind dies with the silo's lease, and a successor's claim waits for it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.UnregisterFailed(Logger, Id, ex);
        }
    }

    private void Abort(Exception error)
    {
        lock (_gate)
        {
            _state = ActivationState.Invalid;
        }

        DisposeTimers();
        _registered = false;
        _catalog.Remove(this);
        _grain = null;
        RuntimeMetrics.ActivationsDeactivated.Add(1);
        _terminated.TrySetResult();
        while (_mailbox.Reader.TryRead(out var queued))
        {
            queued.Fail(error);
        }
    }

    private void DisposeTimers()
    {
        foreach (var timer in _timers.ToArray())
        {
            timer.Dispose();
        }

        _timers.Clear();
    }

    private sealed class ActivateTurn : SystemTurn
    {
        public override Task Run(ActivationData activation) => activation.ActivateAsync();
    }

    private sealed class DeactivateTurn(DeactivationReason reason) : SystemTurn
    {
        public override Task Run(ActivationData activation) => activation.DeactivateAsync(reason);
    }

    private sealed class AbortTurn(Exception error) : SystemTurn
    {
        public override Task Run(ActivationData activation)
        {
            if (activation._state != ActivationState.Invalid)
            {
                activation.Abort(error);
            }

            return Task.CompletedTask;
        }
    }

    private sealed class ShutdownTurn : SystemTurn
    {
        public override Task Run(ActivationData activation)
        {
            if (activation._state != ActivationState.Valid)
            {
                return Task.CompletedTask;
            }

            lock (activation._gate)
            {
                activation._state = ActivationState.Deactivating;
            }

            return activation.DeactivateAsync(DeactivationReason.Shutdown);
        }
    }

    private sealed class IdleCheckTurn(TimeSpan idleAge) : SystemTurn
    {
        public override Task Run(ActivationData activation)
        {
            Interlocked.Exchange(ref activation._idleCheckPending, 0);
            var idleFor = activation.Runtime.TimeProvider.GetElapsedTime(Volatile.Read(ref activation._lastActivityTimestamp));
            if (activation._state != ActivationState.Valid || activation._callsInFlight > 0 || idleFor < idleAge)
            {
                return Task.CompletedTask;
            }

            lock (activation._gate)
            {
                // Checked under the gate that enqueuers take, so no call can slip in between the check and the close.
                if (activation._mailbox.Reader.Count > 0 || Volatile.Read(ref activation._overflowing) > 0)
                {
                    return Task.CompletedTask;
                }

                activation._state = ActivationState.Deactivating;
            }

            return activation.DeactivateAsync(DeactivationReason.IdleTimeout);
        }
    }
}

/// <summary>Outcome of offering a call to an activation.</summary>
internal enum EnqueueResult
{
    Accepted,
    Refused,
    Overloaded,
}
