namespace Woodpecker.Client.Connections.Cluster;

/// <summary>
/// Bounds what a cluster writer holds unacknowledged, in bytes and in appends (LogWriterOptions.MaxPendingBytes and
/// MaxPendingAppends): an append waits for room instead of growing memory without limit. Waiters are served in arrival
/// order, so appends made one after another keep their order while they wait. One entry larger than the whole budget
/// is still admitted when nothing else is pending, so it cannot wait for ever.
/// </summary>
internal sealed class AppendBudget(long maxBytes, int maxCount)
{
    private readonly Queue<Waiter> _waiters = new();
    private readonly Lock _gate = new();
    private long _bytes;
    private int _count;

    public ValueTask AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_waiters.Count == 0 && Fits(bytes))
            {
                _bytes += bytes;
                _count++;
                return ValueTask.CompletedTask;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var registration = cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetCanceled(), ready);
            _waiters.Enqueue(new Waiter(bytes, ready, registration));
            return new ValueTask(ready.Task);
        }
    }

    public void Release(long bytes)
    {
        lock (_gate)
        {
            _bytes -= bytes;
            _count--;
            while (_waiters.TryPeek(out var waiter))
            {
                if (waiter.Ready.Task.IsCanceled)
                {
                    _waiters.Dequeue();
                    continue;
                }

                if (!Fits(waiter.Bytes))
                {
                    break;
                }

                _waiters.Dequeue();
                waiter.Registration.Dispose();
                if (waiter.Ready.TrySetResult())
                {
                    _bytes += waiter.Bytes;
                    _count++;
                }
            }
        }
    }

    private bool Fits(long bytes) => _count == 0 || (_bytes + bytes <= maxBytes && _count < maxCount);

    private sealed record Waiter(long Bytes, TaskCompletionSource Ready, CancellationTokenRegistration Registration);
}
