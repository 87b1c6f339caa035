namespace Woodpecker.Client.Connections;

/// <summary>
/// How the client reaches the log service: in-process (embedded silo) or over the network (cluster). Handles are
/// written against this interface only, so both modes behave the same.
/// </summary>
internal interface ILogConnection : IAsyncDisposable
{
    Naming.EntryLimits EntryLimits { get; }

    Task<LogDescription> CreateLogAsync(string name, CancellationToken cancellationToken);

    Task<LogDescription> GetLogAsync(string name, CancellationToken cancellationToken);

    Task<bool> LogExistsAsync(string name, CancellationToken cancellationToken);

    Task DeleteLogAsync(string name, CancellationToken cancellationToken);

    Task<(IReadOnlyList<LogDescription> Logs, bool More)> ListLogsAsync(string prefix, string? startAfter, int pageSize, CancellationToken cancellationToken);

    Task<IWriterChannel> OpenWriterAsync(string name, LogWriterOptions options, CancellationToken cancellationToken);

    Task<IReaderChannel> OpenReaderAsync(string name, ReadStart start, LogReaderOptions options, CancellationToken cancellationToken);

    Task<LogPosition> TruncateAsync(string name, LogPosition upTo, CancellationToken cancellationToken);

    Task<LogPosition?> GetLastPositionAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<SegmentDescription>> ListSegmentsAsync(string name, CancellationToken cancellationToken);

    Task<StorageRequests> GetStorageRequestsAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A writer session as the client sees it.</summary>
internal interface IWriterChannel : IAsyncDisposable
{
    long WriterEpoch { get; }

    /// <summary>Appends; the payload is copied before this returns.</summary>
    Task<LogPosition> AppendAsync(ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? properties, CancellationToken cancellationToken);

    Task FlushAsync(CancellationToken cancellationToken);

    Task CloseAsync(CancellationToken cancellationToken);
}

/// <summary>A reader session as the client sees it.</summary>
internal interface IReaderChannel : IAsyncDisposable
{
    LogPosition NextPosition { get; }

    IAsyncEnumerable<IReadOnlyList<LogMessage>> ReadBatchesAsync(CancellationToken cancellationToken);
}
