using Woodpecker.Errors;
using Woodpecker.Grains.Logs;
using Woodpecker.Grains.Metadata;
using Woodpecker.Grains.Reading;
using Woodpecker.Grains.Writing;
using Woodpecker.Naming;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime;
using Woodpecker.Storage.Abstractions;

namespace Woodpecker.Grains.Service;

/// <summary>
/// The public log API as a silo serves it: names are validated here, calls go to the log grains, writers and readers
/// are sessions, and every failure leaves as a typed <see cref="WoodpeckerException"/>. The embedded client calls it
/// in-process; the gRPC endpoint exposes the same operations to other processes and languages.
/// </summary>
public sealed class LogService
{
    private const int MaxPageSize = 1000;

    private readonly GrainFactory _grains;
    private readonly ISegmentStorage _storage;
    private readonly LogMetadata _metadata;
    private readonly LogServiceOptions _options;
    private readonly IReaderRegistry? _readers;

    internal LogService(GrainFactory grains, ISegmentStorage storage, LogMetadata metadata, LogServiceOptions options, IReaderRegistry? readers)
    {
        _grains = grains;
        _storage = storage;
        _metadata = metadata;
        _options = options;
        _readers = readers;
    }

    /// <summary>Limits applied to every entry.</summary>
    public EntryLimits EntryLimits => _options.EntryLimits;

    /// <summary>Creates a log.</summary>
    public Task<LogInfo> CreateLogAsync(string name, CancellationToken cancellationToken = default) =>
        Call(name, log => log.CreateAsync(new CreateLogRequest { Name = name }, cancellationToken));

    /// <summary>A log's metadata.</summary>
    public Task<LogInfo> GetLogAsync(string name, CancellationToken cancellationToken = default) =>
        Call(name, log => log.GetInfoAsync(new GetLogRequest { Name = name }, cancellationToken));

    /// <summary>True when the log exists. Reads metadata only; activates nothing.</summary>
    public async Task<bool> LogExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        LogNames.Validate(name);
        return await Translate(() => _metadata.GetLogAsync(name, cancellationToken)).ConfigureAwait(false) is not null;
    }

    /// <summary>Deletes a log and everything stored for it.</summary>
    public Task DeleteLogAsync(string name, CancellationToken cancellationToken = default) =>
        Call(name, log => log.DeleteAsync(new DeleteLogRequest { Name = name }, cancellationToken));

    /// <summary>Logs whose names start with <paramref name="prefix"/>, in name order, one page at a time.</summary>
    public async Task<(IReadOnlyList<LogInfo> Logs, bool More)> ListLogsAsync(string prefix, string? startAfter, int pageSize, CancellationToken cancellationToken = default)
    {
        if (prefix.Length > 0 && LogNames.Explain(prefix) is { } problem)
        {
            throw new InvalidLogNameException($"The prefix is not the start of a valid log name: {problem}");
        }

        var size = pageSize <= 0 ? MaxPageSize : Math.Min(pageSize, MaxPageSize);
        var (records, more) = await Translate(() => _metadata.ListLogsAsync(prefix, startAfter, size, cancellationToken)).ConfigureAwait(false);
        return (records.Select(r => new LogInfo { Name = r.Name, LogId = r.LogId, CreatedUnixMs = r.CreatedUnixMs, TruncatedTo = r.TruncatedTo }).ToList(), more);
    }

    /// <summary>Opens the log's writer, fencing any earlier one.</summary>
    public Task<LogWriterSession> OpenWriterAsync(string name, LogWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        LogWriterSession.OpenAsync(_grains, name, options ?? new LogWriterOptions(), _options.EntryLimits, cancellationToken);

    /// <summary>Opens a reader.</summary>
    public Task<LogReadSession> OpenReaderAsync(string name, ReadStart start, LogReaderOptions? options = null, CancellationToken cancellationToken = default) =>
        LogReadSession.OpenAsync(_grains, _storage, _readers, name, start, options ?? new LogReaderOptions(), cancellationToken);

    /// <summary>Truncates the log up to <paramref name="upTo"/> inclusive; returns the truncation point now in force.</summary>
    public async Task<LogPosition> TruncateAsync(string name, LogPosition upTo, CancellationToken cancellationToken = default)
    {
        var response = await Call(name, log => log.TruncateAsync(
            new TruncateRequest { LogName = name, UpTo = new Position { SegmentId = upTo.SegmentId, EntryId = upTo.EntryId } }, cancellationToken)).ConfigureAwait(false);
        return new LogPosition(response.TruncatedTo.SegmentId, response.TruncatedTo.EntryId);
    }

    /// <summary>The truncation point, or null when nothing was truncated.</summary>
    public async Task<LogPosition?> GetTruncationAsync(string name, CancellationToken cancellationToken = default)
    {
        var info = await GetLogAsync(name, cancellationToken).ConfigureAwait(false);
        return info.TruncatedTo is { } p ? new LogPosition(p.SegmentId, p.EntryId) : null;
    }

    /// <summary>The position of the last durable entry, or null when the log holds none.</summary>
    public async Task<LogPosition?> GetLastPositionAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await Call(name, log => log.GetLastPositionAsync(new GetLastPositionRequest { LogName = name }, cancellationToken)).ConfigureAwait(false);
        return response.Position is { } p ? new LogPosition(p.SegmentId, p.EntryId) : null;
    }

    /// <summary>Storage requests made for the log by this silo since it started (every attempt; zeros for local storage).</summary>
    public async Task<Storage.Abstractions.StorageRequestCounts> GetStorageRequestCountsAsync(string name, CancellationToken cancellationToken = default)
    {
        var info = await GetLogAsync(name, cancellationToken).ConfigureAwait(false);
        return _storage.GetRequestCounts(info.LogId);
    }

    /// <summary>The log's segments with their states and sizes.</summary>
    public async Task<IReadOnlyList<SegmentInfo>> ListSegmentsAsync(string name, CancellationToken cancellationToken = default) =>
        (await Call(name, log => log.ListSegmentsAsync(new ListSegmentsRequest { LogName = name }, cancellationToken)).ConfigureAwait(false)).Segments;

    private Task<T> Call<T>(string name, Func<ILogGrain, Task<T>> call)
    {
        LogNames.Validate(name);
        return Translate(() => call(_grains.GetGrain<ILogGrain>(name)));
    }

    private static async Task<T> Translate<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not WoodpeckerException)
        {
            throw ErrorTranslation.ToWoodpecker(ex);
        }
    }
}
