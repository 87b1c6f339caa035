using Woodpecker.Client.Connections;
using Woodpecker.Errors;

namespace Woodpecker.Client;

/// <summary>A log: open its writer and readers, truncate it, ask where it ends. Cheap; holds no resources.</summary>
public sealed class LogHandle
{
    private readonly WoodpeckerClient _client;
    private readonly ILogConnection _connection;

    internal LogHandle(WoodpeckerClient client, ILogConnection connection, LogDescription description)
    {
        _client = client;
        _connection = connection;
        Name = description.Name;
        LogId = description.LogId;
    }

    /// <summary>The log's name.</summary>
    public string Name { get; }

    /// <summary>The log's numeric id.</summary>
    public long LogId { get; }

    /// <summary>The log's current description (truncation point included).</summary>
    public Task<LogDescription> GetInfoAsync(CancellationToken cancellationToken = default) =>
        Connection.GetLogAsync(Name, cancellationToken);

    /// <summary>
    /// Opens the log's writer. Only one writer exists per log: opening this one fences any earlier writer, whose next
    /// append fails with <see cref="WriterFencedException"/>.
    /// </summary>
    public async Task<LogWriter> OpenWriterAsync(LogWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        var channel = await Connection.OpenWriterAsync(Name, options ?? new LogWriterOptions(), cancellationToken).ConfigureAwait(false);
        return new LogWriter(Name, channel, _connection.EntryLimits);
    }

    /// <summary>Opens a reader at <paramref name="start"/>.</summary>
    /// <exception cref="PositionTruncatedException">The start was truncated away.</exception>
    /// <exception cref="PositionNotFoundException">The start lies past the end of the log.</exception>
    public async Task<LogReader> OpenReaderAsync(ReadStart start, LogReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        var channel = await Connection.OpenReaderAsync(Name, start, options ?? new LogReaderOptions(), cancellationToken).ConfigureAwait(false);
        return new LogReader(Name, channel);
    }

    /// <summary>
    /// Truncates the log up to <paramref name="upTo"/>, inclusive: readers can no longer start at or below it, and
    /// whole segments below it are deleted after the retention delay (never while a reader is still in them).
    /// Truncation only moves forward; returns the truncation point now in force.
    /// </summary>
    /// <exception cref="PositionNotFoundException">The position does not exist (yet).</exception>
    public Task<LogPosition> TruncateAsync(LogPosition upTo, CancellationToken cancellationToken = default) =>
        Connection.TruncateAsync(Name, upTo, cancellationToken);

    /// <summary>The truncation point, or null when nothing was truncated.</summary>
    public async Task<LogPosition?> GetTruncationPointAsync(CancellationToken cancellationToken = default) =>
        (await Connection.GetLogAsync(Name, cancellationToken).ConfigureAwait(false)).TruncatedTo;

    /// <summary>The position of the last durable entry, or null when the log holds none.</summary>
    public Task<LogPosition?> GetLastPositionAsync(CancellationToken cancellationToken = default) =>
        Connection.GetLastPositionAsync(Name, cancellationToken);

    /// <summary>The log's segments, oldest first.</summary>
    public Task<IReadOnlyList<SegmentDescription>> ListSegmentsAsync(CancellationToken cancellationToken = default) =>
        Connection.ListSegmentsAsync(Name, cancellationToken);

    /// <summary>Storage requests made for this log since the service started (all zero on local storage).</summary>
    public Task<StorageRequests> GetStorageRequestsAsync(CancellationToken cancellationToken = default) =>
        Connection.GetStorageRequestsAsync(Name, cancellationToken);

    private ILogConnection Connection =>
        _client.IsDisposed ? throw new HandleClosedException("The Woodpecker client was disposed; create a new one.") : _connection;
}
