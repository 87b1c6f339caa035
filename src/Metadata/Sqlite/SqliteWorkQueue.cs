using System.Threading.Channels;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// Microsoft.Data.Sqlite is synchronous, and one connection must not be used by two threads at once: every
/// database call runs on one dedicated thread, fed by a bounded channel (callers wait for room, never memory).
/// Completing the queue lets the thread run what is already queued, then run the stop action (closing the
/// connection) on the same thread.
/// </summary>
internal sealed class SqliteWorkQueue
{
    private readonly Channel<DatabaseWorkItem> _channel;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _onStopped;

    public SqliteWorkQueue(int capacity, string threadName, Action onStopped)
    {
        _channel = Channel.CreateBounded<DatabaseWorkItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _onStopped = onStopped;
        var thread = new Thread(Run) { IsBackground = true, Name = threadName };
        thread.Start();
    }

    /// <summary>Completes when the thread has drained the queue and stopped.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Queues a call, waiting for room; throws <see cref="ChannelClosedException"/> after <see cref="Complete"/>.</summary>
    public ValueTask EnqueueAsync(DatabaseWorkItem item, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(item, cancellationToken);

    /// <summary>Queues a call when there is room.</summary>
    public bool TryEnqueue(DatabaseWorkItem item) => _channel.Writer.TryWrite(item);

    /// <summary>Accepts no more calls; the thread stops after the queued ones.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private void Run()
    {
        var reader = _channel.Reader;
        try
        {
            while (true)
            {
                while (reader.TryRead(out var item))
                {
                    item.Execute();
                }

                // Blocking is the point of this thread; nothing else runs on it.
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                _onStopped();
            }
            finally
            {
                _completion.TrySetResult();
            }
        }
    }
}
