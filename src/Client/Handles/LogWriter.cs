using Woodpecker.Client.Connections;
using Woodpecker.Naming;

namespace Woodpecker.Client;

/// <summary>
/// The single writer of a log. Thread-safe. Many appends may be in flight; each completes with its position once it
/// is durable, and they complete strictly in the order they were made. If one fails, every later pending append
/// fails too. In embedded mode the writer cannot be used again: open a new one. Connected to a cluster, losing the
/// silo that serves the writer fails the pending appends with <see cref="Errors.ServiceUnavailableException"/> (their
/// outcome is unknown: each entry is in the log at most once, never re-sent), and the next append reconnects the writer
/// on the log's new silo — unless another writer took over meanwhile (<see cref="Errors.WriterFencedException"/>).
/// </summary>
public sealed class LogWriter : IAsyncDisposable
{
    private readonly IWriterChannel _channel;
    private readonly EntryLimits _limits;

    internal LogWriter(string logName, IWriterChannel channel, EntryLimits limits)
    {
        LogName = logName;
        _channel = channel;
        _limits = limits;
    }

    /// <summary>The log written to.</summary>
    public string LogName { get; }

    /// <summary>This writer's epoch: it fences writers with lower epochs.</summary>
    public long Epoch => _channel.WriterEpoch;

    /// <summary>
    /// Appends an entry; completes with its position once durable. The payload is copied before this method returns,
    /// so the caller may reuse its buffer at once. <paramref name="cancellationToken"/> cancels only waiting for room
    /// (see <see cref="LogWriterOptions.MaxPendingBytes"/>); an append that was accepted proceeds.
    /// </summary>
    /// <exception cref="Errors.InvalidPayloadException">The payload is empty or too large, or a property is invalid. Nothing was appended.</exception>
    /// <exception cref="Errors.WriterFencedException">A newer writer opened the log.</exception>
    /// <exception cref="Errors.HandleClosedException">The writer was closed, or failed earlier.</exception>
    public Task<LogPosition> AppendAsync(ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default)
    {
        _limits.Validate(payload.Length, properties);
        return _channel.AppendAsync(payload, properties, cancellationToken);
    }

    /// <summary>Waits until every append made so far is durable.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _channel.FlushAsync(cancellationToken);

    /// <summary>Waits for pending appends, then completes the current segment so readers see where it ends.</summary>
    public Task CloseAsync(CancellationToken cancellationToken = default) => _channel.CloseAsync(cancellationToken);

    /// <summary>Closes the writer (see <see cref="CloseAsync"/>) without throwing.</summary>
    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
