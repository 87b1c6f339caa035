using System.Runtime.CompilerServices;
using Woodpecker.Client.Connections;
using Woodpecker.Errors;

namespace Woodpecker.Client;

/// <summary>
/// A reader of a log: returns entries in log order from its start position. With
/// <see cref="LogReaderOptions.Follow"/> it then waits for new entries, waking as soon as they are durable.
/// Read it from one consumer at a time.
/// </summary>
public sealed class LogReader : IAsyncDisposable
{
    private readonly IReaderChannel _channel;
    private int _state; // 0 idle, 1 reading, 2 disposed

    internal LogReader(string logName, IReaderChannel channel)
    {
        LogName = logName;
        _channel = channel;
    }

    /// <summary>The log read.</summary>
    public string LogName { get; }

    /// <summary>The position of the next entry this reader will return.</summary>
    public LogPosition NextPosition => _channel.NextPosition;

    /// <summary>Entries one by one.</summary>
    public async IAsyncEnumerable<LogMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in ReadBatchesAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var message in batch)
            {
                yield return message;
            }
        }
    }

    /// <summary>Entries in batches (cheaper per entry when catching up).</summary>
    public async IAsyncEnumerable<IReadOnlyList<LogMessage>> ReadBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new HandleClosedException(_state == 2
                ? $"The reader of log '{LogName}' was disposed."
                : $"The reader of log '{LogName}' is already being read; use one consumer per reader.");
        }

        try
        {
            await foreach (var batch in _channel.ReadBatchesAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref _state, 0, 1);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _state, 2);
        return _channel.DisposeAsync();
    }
}
