namespace Woodpecker.Flow;

/// <summary>
/// Bounds what a writer holds unacknowledged, in bytes and in appends: an append waits for room instead of growing
/// memory without limit. Waiters are served in arrival order, so a caller issuing appends one after another keeps its
/// order even while it waits. Shared by the silo's writer session and the cluster client's writer.
/// </summary>
public sealed class PendingBudget
{
    private readonly long _maxBytes;
    private readonly int _maxCount;
    private readonly Queue<(long Bytes, TaskCompletionSource Ready, CancellationTokenRegistration Registration)> _waiters = new();
    private readonly Lock _gate = new();
    private long _bytes;
    private int _count;

    /// <summary>Creates a budget of <paramref name="maxBytes"/> bytes and <paramref name="maxCount"/> appends.</summary>
    public PendingBudget(long maxBytes, int maxCount)
    {
        _maxBytes = maxBytes;
        _maxCount = maxCount;
    }

    /// <summary>Takes room for one append of <paramref name="bytes"/>, waiting in arrival order when there is none.</summary>
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
            _waiters.Enqueue((bytes, ready, registration));
            return new ValueTask(ready.Task);
        }
    }

    /// <summary>Gives back the room of one append of <paramref name="bytes"/> and admits waiters that now fit.</summary>
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

    // An append larger than the whole budget still goes through when nothing else is pending.
    private bool Fits(long bytes) => _count == 0 || (_bytes + bytes <= _maxBytes && _count < _maxCount);
}
