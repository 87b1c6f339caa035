using System.Collections.Concurrent;

namespace Woodpecker.Storage.Local;

/// <summary>
/// A few dedicated threads for blocking disk work (write + fdatasync). fdatasync blocks for milliseconds; doing it
/// on thread-pool threads across thousands of active segments would starve the pool, and doing it on a grain's
/// thread would stop the grain from batching the next block meanwhile.
/// </summary>
public sealed class DiskIoScheduler : IDisposable
{
    private readonly BlockingCollection<Action> _work = new(new ConcurrentQueue<Action>());
    private readonly Thread[] _threads;

    /// <summary>Starts <paramref name="threads"/> I/O threads.</summary>
    public DiskIoScheduler(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"woodpecker-disk-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Runs <paramref name="work"/> on an I/O thread.</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        });
        return done.Task;
    }

    /// <summary>Runs <paramref name="work"/> on an I/O thread.</summary>
    public Task Run(Action work) => Run(() =>
    {
        work();
        return true;
    });

    /// <inheritdoc />
    public void Dispose()
    {
        _work.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        _work.Dispose();
    }

    private void Enqueue(Action work)
    {
        try
        {
            _work.Add(work);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(DiskIoScheduler), "The storage was closed; no more disk work is accepted.");
        }
    }

    private void Run()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
