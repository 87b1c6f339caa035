using Woodpecker.Grains.Reading;
using Woodpecker.Grains.Service;
using Woodpecker.Grains.Writing;
using Woodpecker.Naming;
using Woodpecker.Protocol.V1;
using Woodpecker.Silo.Embedded;

namespace Woodpecker.Client.Connections;

/// <summary>The log service in this process: calls go straight to the embedded silo's <see cref="LogService"/>.</summary>
internal sealed class EmbeddedConnection : ILogConnection
{
    private readonly EmbeddedSilo _silo;

    public EmbeddedConnection(EmbeddedSilo silo) => _silo = silo;

    public EntryLimits EntryLimits => _silo.Service.EntryLimits;

    private LogService Service => _silo.Service;

    public async Task<LogDescription> CreateLogAsync(string name, CancellationToken cancellationToken) =>
        Describe(await Service.CreateLogAsync(name, cancellationToken).ConfigureAwait(false));

    public async Task<LogDescription> GetLogAsync(string name, CancellationToken cancellationToken) =>
        Describe(await Service.GetLogAsync(name, cancellationToken).ConfigureAwait(false));

    public Task<bool> LogExistsAsync(string name, CancellationToken cancellationToken) => Service.LogExistsAsync(name, cancellationToken);

    public Task DeleteLogAsync(string name, CancellationToken cancellationToken) => Service.DeleteLogAsync(name, cancellationToken);

    public async Task<(IReadOnlyList<LogDescription> Logs, bool More)> ListLogsAsync(string prefix, string? startAfter, int pageSize, CancellationToken cancellationToken)
    {
        var (logs, more) = await Service.ListLogsAsync(prefix, startAfter, pageSize, cancellationToken).ConfigureAwait(false);
        return (logs.Select(Describe).ToList(), more);
    }

    public async Task<IWriterChannel> OpenWriterAsync(string name, Client.LogWriterOptions options, CancellationToken cancellationToken)
    {
        var session = await Service.OpenWriterAsync(
            name,
            new Grains.Writing.LogWriterOptions { MaxPendingBytes = options.MaxPendingBytes, MaxPendingAppends = options.MaxPendingAppends },
            cancellationToken).ConfigureAwait(false);
        return new WriterChannel(session);
    }

    public async Task<IReaderChannel> OpenReaderAsync(string name, ReadStart start, Client.LogReaderOptions options, CancellationToken cancellationToken)
    {
        var session = await Service.OpenReaderAsync(
            name,
            start,
            new Grains.Reading.LogReaderOptions { Follow = options.Follow, MaxBatchBytes = options.MaxBatchBytes },
            cancellationToken).ConfigureAwait(false);
        return new ReaderChannel(session);
    }

    public Task<LogPosition> TruncateAsync(string name, LogPosition upTo, CancellationToken cancellationToken) =>
        Service.TruncateAsync(name, upTo, cancellationToken);

    public Task<LogPosition?> GetLastPositionAsync(string name, CancellationToken cancellationToken) =>
        Service.GetLastPositionAsync(name, cancellationToken);

    public async Task<IReadOnlyList<SegmentDescription>> ListSegmentsAsync(string name, CancellationToken cancellationToken) =>
        (await Service.ListSegmentsAsync(name, cancellationToken).ConfigureAwait(false)).Select(Describe).ToList();

    public async Task<StorageRequests> GetStorageRequestsAsync(string name, CancellationToken cancellationToken)
    {
        var counts = await Service.GetStorageRequestCountsAsync(name, cancellationToken).ConfigureAwait(false);
        return new StorageRequests(counts.Puts, counts.Gets, counts.Heads, counts.Lists, counts.Deletes, counts.EstimatedCostUsd);
    }

    public ValueTask DisposeAsync() => _silo.DisposeAsync();

    internal static LogDescription Describe(LogInfo info) => new(
        info.Name,
        info.LogId,
        DateTimeOffset.FromUnixTimeMilliseconds(info.CreatedUnixMs),
        info.TruncatedTo is { } p ? new LogPosition(p.SegmentId, p.EntryId) : null);

    internal static SegmentDescription Describe(SegmentInfo info) => new(
        info.SegmentId,
        info.State switch
        {
            Protocol.V1.SegmentState.Active => SegmentState.Active,
            Protocol.V1.SegmentState.Sealed => SegmentState.Sealed,
            Protocol.V1.SegmentState.Truncated => SegmentState.Truncated,
            _ => SegmentState.Completed,
        },
        info.EntryCount,
        info.SizeBytes,
        info.WriterEpoch,
        DateTimeOffset.FromUnixTimeMilliseconds(info.CreatedUnixMs),
        info.CompletedUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(info.CompletedUnixMs));

    private sealed class WriterChannel(LogWriterSession session) : IWriterChannel
    {
        public long WriterEpoch => session.WriterEpoch;

        public Task<LogPosition> AppendAsync(ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? properties, CancellationToken cancellationToken) =>
            session.AppendAsync(payload.Span, properties, cancellationToken);

        public Task FlushAsync(CancellationToken cancellationToken) => session.FlushAsync(cancellationToken);

        public Task CloseAsync(CancellationToken cancellationToken) => session.CloseAsync(cancellationToken);

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }

    private sealed class ReaderChannel(LogReadSession session) : IReaderChannel
    {
        public LogPosition NextPosition => session.NextPosition;

        public IAsyncEnumerable<IReadOnlyList<LogMessage>> ReadBatchesAsync(CancellationToken cancellationToken) => session.ReadBatchesAsync(cancellationToken);

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
