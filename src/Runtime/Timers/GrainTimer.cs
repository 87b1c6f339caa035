using Woodpecker.Runtime.Activations;
using Woodpecker.Runtime.Diagnostics;

namespace Woodpecker.Runtime.Timers;

/// <summary>
/// A grain timer. The underlying clock timer is one-shot and re-armed only after a tick has run, so ticks can never
/// overlap or pile up, and each tick is a turn of the activation.
/// </summary>
internal sealed class GrainTimer : SystemTurn, IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private TimeSpan _period;
    private int _tickQueued;

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _period = period;
        _timer = activation.Runtime.TimeProvider.CreateTimer(static state => ((GrainTimer)state!).OnFired(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _period = period;
        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }

    public override Task Run(ActivationData activation)
    {
        Interlocked.Exchange(ref _tickQueued, 0);
        return _disposed.IsCancellationRequested ? Task.CompletedTask : _callback(_disposed.Token);
    }

    public override void Completed(ActivationData activation, Task finished)
    {
        if (finished.IsFaulted)
        {
            RuntimeLog.TimerTickFailed(activation.Runtime.Logger, activation.Id, finished.Exception!.GetBaseException());
        }

        if (!_disposed.IsCancellationRequested && _period != Timeout.InfiniteTimeSpan)
        {
            _timer.Change(_period, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnFired()
    {
        if (!_disposed.IsCancellationRequested && Interlocked.Exchange(ref _tickQueued, 1) == 0)
        {
            _activation.EnqueueSystemTurn(this);
        }
    }
}
