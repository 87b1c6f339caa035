using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Errors;
using Woodpecker.Naming;
using Woodpecker.Protocol.V1;
using Woodpecker.Silo.Gateway;
using Woodpecker.Transport;

namespace Woodpecker.Client.Connections.Cluster;

/// <summary>
/// The log service of a cluster, over the public gRPC API. Calls go to the silo that serves the log (see
/// <see cref="GatewayRouter"/>). A call that is safe to repeat is retried on another silo when its silo is unreachable;
/// one that is not (create, delete) only when the request provably never left this process.
/// </summary>
internal sealed class ClusterConnection : ILogConnection
{
    private const string Service = "/woodpecker.v1.LogService/";

    private ClusterConnection(ClusterClientOptions options, GatewayRouter router, ILoggerFactory loggerFactory)
    {
        Options = options;
        Router = router;
        Logger = loggerFactory.CreateLogger("Woodpecker.Client.Cluster");
    }

    public EntryLimits EntryLimits => EntryLimits.Default;

    internal ClusterClientOptions Options { get; }

    internal GatewayRouter Router { get; }

    /// <summary>Where reconnects of writers and readers are reported.</summary>
    internal ILogger Logger { get; }

    public static async Task<ClusterConnection> ConnectAsync(ClusterClientOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var router = new GatewayRouter(options, loggerFactory.CreateLogger("Woodpecker.Client.Cluster.GatewayRouter"));
        try
        {
            await router.StartAsync(cancellationToken).ConfigureAwait(false);
            return new ClusterConnection(options, router, loggerFactory);
        }
        catch
        {
            await router.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<LogDescription> CreateLogAsync(string name, CancellationToken cancellationToken) =>
        EmbeddedConnection.Describe(await UnaryAsync(name, "CreateLog", new CreateLogRequest { Name = Check(name) }, LogInfo.Parser, idempotent: false, cancellationToken).ConfigureAwait(false));

    public async Task<LogDescription> GetLogAsync(string name, CancellationToken cancellationToken) =>
        EmbeddedConnection.Describe(await UnaryAsync(name, "GetLog", new GetLogRequest { Name = Check(name) }, LogInfo.Parser, idempotent: true, cancellationToken).ConfigureAwait(false));

    public async Task<bool> LogExistsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await GetLogAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (LogNotFoundException)
        {
            return false;
        }
    }

    public Task DeleteLogAsync(string name, CancellationToken cancellationToken) =>
        UnaryAsync(name, "DeleteLog", new DeleteLogRequest { Name = Check(name) }, DeleteLogResponse.Parser, idempotent: false, cancellationToken);

    public async Task<(IReadOnlyList<LogDescription> Logs, bool More)> ListLogsAsync(string prefix, string? startAfter, int pageSize, CancellationToken cancellationToken)
    {
        var response = await UnaryAsync(
            null, "ListLogs", new ListLogsRequest { Prefix = prefix, StartAfter = startAfter ?? "", PageSize = pageSize }, ListLogsResponse.Parser, idempotent: true, cancellationToken)
            .ConfigureAwait(false);
        return (response.Logs.Select(EmbeddedConnection.Describe).ToList(), response.More);
    }

    public async Task<IWriterChannel> OpenWriterAsync(string name, LogWriterOptions options, CancellationToken cancellationToken) =>
        await ClusterWriterChannel.OpenAsync(this, Check(name), options, cancellationToken).ConfigureAwait(false);

    public async Task<IReaderChannel> OpenReaderAsync(string name, ReadStart start, LogReaderOptions options, CancellationToken cancellationToken)
    {
        // The Read stream starts when the reader is first enumerated and says nothing until it has entries, so resolve
        // the start now, as the embedded reader does when it opens: a missing log fails here, and Latest means the end
        // of the log at open time, not whenever the stream happens to start (entries appended in between would be lost).
        if (start.Kind == ReadStartKind.Latest)
        {
            var last = await GetLastPositionAsync(name, cancellationToken).ConfigureAwait(false);
            start = last is { } p ? ReadStart.At(new LogPosition(p.SegmentId, p.EntryId + 1)) : ReadStart.Earliest;
        }
        else
        {
            await GetLogAsync(name, cancellationToken).ConfigureAwait(false);
        }

        return new ClusterReaderChannel(this, name, start, options);
    }

    public async Task<LogPosition> TruncateAsync(string name, LogPosition upTo, CancellationToken cancellationToken)
    {
        var response = await UnaryAsync(
            name, "Truncate", new TruncateRequest { LogName = Check(name), UpTo = new Position { SegmentId = upTo.SegmentId, EntryId = upTo.EntryId } },
            TruncateResponse.Parser, idempotent: true, cancellationToken).ConfigureAwait(false);
        return new LogPosition(response.TruncatedTo.SegmentId, response.TruncatedTo.EntryId);
    }

    public async Task<LogPosition?> GetLastPositionAsync(string name, CancellationToken cancellationToken)
    {
        var response = await UnaryAsync(name, "GetLastPosition", new GetLastPositionRequest { LogName = Check(name) }, GetLastPositionResponse.Parser, idempotent: true, cancellationToken)
            .ConfigureAwait(false);
        return response.Position is { } p ? new LogPosition(p.SegmentId, p.EntryId) : null;
    }

    public async Task<IReadOnlyList<SegmentDescription>> ListSegmentsAsync(string name, CancellationToken cancellationToken) =>
        (await UnaryAsync(name, "ListSegments", new ListSegmentsRequest { LogName = Check(name) }, ListSegmentsResponse.Parser, idempotent: true, cancellationToken)
            .ConfigureAwait(false)).Segments.Select(EmbeddedConnection.Describe).ToList();

    public async Task<StorageRequests> GetStorageRequestsAsync(string name, CancellationToken cancellationToken)
    {
        var counts = await UnaryAsync(name, "GetStorageRequests", new GetStorageRequestsRequest { LogName = Check(name) }, StorageRequestCounts.Parser, idempotent: true, cancellationToken)
            .ConfigureAwait(false);
        return new StorageRequests(counts.Puts, counts.Gets, counts.Heads, counts.Lists, counts.Deletes, counts.EstimatedCostUsd);
    }

    public ValueTask DisposeAsync() => Router.DisposeAsync();

    /// <summary>A unary call with routing and bounded retries; failures come back as typed Woodpecker errors.</summary>
    internal async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        string? logName, string method, TRequest request, MessageParser<TResponse> parser, bool idempotent, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var deadline = DateTime.UtcNow + Options.CallTimeout;
        for (var attempt = 1; ; attempt++)
        {
            var (endpoint, channel) = Router.Route(logName);
            try
            {
                return await channel.UnaryAsync(Service + method, request, parser, new GrpcCallOptions(Remaining(deadline), cancellationToken))
                    .ConfigureAwait(false);
            }
            catch (GrpcStatusException failed) when (ShouldRetry(failed, idempotent, attempt, deadline))
            {
                Router.ReportUnavailable(endpoint);
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (GrpcStatusException failed)
            {
                if (failed.Status == GrpcStatusCode.Unavailable)
                {
                    Router.ReportUnavailable(endpoint);
                }

                throw GrpcErrorMapping.ToWoodpecker(failed, endpoint);
            }
        }
    }

    internal bool ShouldRetry(GrpcStatusException failed, bool idempotent, int attempt, DateTime deadline) =>
        failed.Status == GrpcStatusCode.Unavailable && attempt < Options.MaxAttempts && DateTime.UtcNow + Backoff(attempt) < deadline
        && (idempotent || NeverSent(failed));

    /// <summary>What is left until <paramref name="deadline"/>, at least a millisecond (a backoff may overshoot it slightly).</summary>
    internal static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
    }

    internal static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(1000, 100 << Math.Min(attempt - 1, 4)));

    /// <summary>True when the failure proves the request never left this process (no connection could be made).</summary>
    internal static bool NeverSent(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }
        }

        return false;
    }

    private static string Check(string name)
    {
        LogNames.Validate(name);
        return name;
    }
}
