using System.Threading.Channels;
using Google.Protobuf;
using Woodpecker.Errors;
using Woodpecker.Grains.Service;
using Woodpecker.Silo.Diagnostics;
using Woodpecker.Protocol.V1;
using Woodpecker.Transport;
using GrainReaderOptions = Woodpecker.Grains.Reading.LogReaderOptions;
using GrainWriterOptions = Woodpecker.Grains.Writing.LogWriterOptions;

namespace Woodpecker.Silo.Gateway;

/// <summary>
/// Serves woodpecker.v1.LogService (protos/woodpecker/v1/log_service.proto) from a silo's <see cref="LogService"/>: the
/// API every gRPC client uses, the .NET cluster client included. Every failure leaves as a gRPC status plus the exact
/// Woodpecker error code; nothing is acknowledged while the silo is not serving (lease lost, stopping).
/// </summary>
public static class LogServiceGrpc
{
    /// <summary>The gRPC service name.</summary>
    public const string ServiceName = "woodpecker.v1.LogService";

    // Append requests whose entries are in flight at once; the stream stops reading (backpressure) beyond it.
    private const int MaxAppendRequestsInFlight = 256;

    /// <summary>Defines the service.</summary>
    /// <param name="service">The silo's log service.</param>
    /// <param name="isServing">False once the silo must not acknowledge anything (checked per request and per acknowledgement).</param>
    public static GrpcServiceDefinition Create(LogService service, Func<bool> isServing)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(isServing);
        return new GrpcServiceDefinition(ServiceName)
            .AddUnary<CreateLogRequest, LogInfo>("CreateLog", CreateLogRequest.Parser, (r, c) => Guarded(isServing, () => service.CreateLogAsync(r.Name, c.CancellationToken)))
            .AddUnary<DeleteLogRequest, DeleteLogResponse>("DeleteLog", DeleteLogRequest.Parser, (r, c) => Guarded(isServing, async () =>
            {
                await service.DeleteLogAsync(r.Name, c.CancellationToken).ConfigureAwait(false);
                return new DeleteLogResponse();
            }))
            .AddUnary<GetLogRequest, LogInfo>("GetLog", GetLogRequest.Parser, (r, c) => Guarded(isServing, () => service.GetLogAsync(r.Name, c.CancellationToken)))
            .AddUnary<ListLogsRequest, ListLogsResponse>("ListLogs", ListLogsRequest.Parser, (r, c) => Guarded(isServing, async () =>
            {
                var (logs, more) = await service.ListLogsAsync(r.Prefix, r.StartAfter.Length == 0 ? null : r.StartAfter, r.PageSize, c.CancellationToken).ConfigureAwait(false);
                var response = new ListLogsResponse { More = more };
                response.Logs.AddRange(logs);
                return response;
            }))
            .AddDuplexStreaming<AppendRequest, AppendResponse>("Append", AppendRequest.Parser, (requests, responses, c) => Guarded(isServing, async () =>
            {
                await AppendAsync(service, isServing, requests, responses, c).ConfigureAwait(false);
                return true;
            }))
            .AddServerStreaming<ReadRequest, ReadResponse>("Read", ReadRequest.Parser, (r, responses, c) => Guarded(isServing, async () =>
            {
                await ReadAsync(service, isServing, r, responses, c).ConfigureAwait(false);
                return true;
            }))
            .AddUnary<TruncateRequest, TruncateResponse>("Truncate", TruncateRequest.Parser, (r, c) => Guarded(isServing, async () =>
            {
                var upTo = r.UpTo ?? throw Invalid("TruncateRequest.up_to is required: the position to truncate up to (inclusive).");
                var truncated = await service.TruncateAsync(r.LogName, new LogPosition(upTo.SegmentId, upTo.EntryId), c.CancellationToken).ConfigureAwait(false);
                return new TruncateResponse { TruncatedTo = ToProto(truncated) };
            }))
            .AddUnary<GetLastPositionRequest, GetLastPositionResponse>("GetLastPosition", GetLastPositionRequest.Parser, (r, c) => Guarded(isServing, async () =>
            {
                var last = await service.GetLastPositionAsync(r.LogName, c.CancellationToken).ConfigureAwait(false);
                return new GetLastPositionResponse { Position = last is { } p ? ToProto(p) : null };
            }))
            .AddUnary<ListSegmentsRequest, ListSegmentsResponse>("ListSegments", ListSegmentsRequest.Parser, (r, c) => Guarded(isServing, async () =>
            {
                var response = new ListSegmentsResponse();
                response.Segments.AddRange(await service.ListSegmentsAsync(r.LogName, c.CancellationToken).ConfigureAwait(false));
                return response;
            }))
            .AddUnary<GetStorageRequestsRequest, StorageRequestCounts>("GetStorageRequests", GetStorageRequestsRequest.Parser, (r, c) => Guarded(isServing, async () =>
            {
                var counts = await service.GetStorageRequestCountsAsync(r.LogName, c.CancellationToken).ConfigureAwait(false);
                return new StorageRequestCounts
                {
                    Puts = counts.Puts, Gets = counts.Gets, Heads = counts.Heads, Lists = counts.Lists, Deletes = counts.Deletes, EstimatedCostUsd = counts.EstimatedCostUsd,
                };
            }));
    }

    /// <summary>
    /// One writer session per stream. Requests are appended as they arrive (several in flight); acknowledgements leave
    /// strictly in request order, each once every entry of its request is durable — and only while the silo serves.
    /// </summary>
    private static async Task AppendAsync(
        LogService service, Func<bool> isServing, IGrpcStreamReader<AppendRequest> requests, IGrpcStreamWriter<AppendResponse> responses, GrpcServerCallContext context)
    {
        var first = await requests.ReadAsync(context.CancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return;
        }

        if (first.KindCase != AppendRequest.KindOneofCase.Open)
        {
            throw Invalid("The first message of an Append stream must be OpenWriter (open = { log_name }).");
        }

        var options = new GrainWriterOptions { ExpectedWriterEpoch = first.Open.ExpectedWriterEpoch == 0 ? null : first.Open.ExpectedWriterEpoch };
        await using var session = await service.OpenWriterAsync(first.Open.LogName, options, context.CancellationToken).ConfigureAwait(false);
        RequireServing(isServing);
        await responses.WriteAsync(new AppendResponse { Opened = new WriterOpened { WriterEpoch = session.WriterEpoch } }, context.CancellationToken).ConfigureAwait(false);

        var inFlight = Channel.CreateBounded<(Task<LogPosition>[] Appends, long ReceivedAt)>(new BoundedChannelOptions(MaxAppendRequestsInFlight) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var acknowledging = AcknowledgeInOrderAsync(inFlight.Reader, responses, isServing, stop);
        GrpcStatusException? rejected = null;
        try
        {
            while (await requests.ReadAsync(stop.Token).ConfigureAwait(false) is { } request)
            {
                if (request.KindCase != AppendRequest.KindOneofCase.Entries)
                {
                    rejected = Invalid("After OpenWriter, an Append stream carries only AppendEntries messages.");
                    break;
                }

                // A silo that lost its lease must not even append: another silo may host the log by now.
                RequireServing(isServing);

                // Check the whole request first: bad input changes nothing, not even the request's first entries.
                rejected = Validate(service, request.Entries);
                if (rejected is not null)
                {
                    break;
                }

                var appends = new Task<LogPosition>[request.Entries.Entries.Count];
                for (var i = 0; i < appends.Length; i++)
                {
                    appends[i] = session.AppendAsync(request.Entries.Entries[i], CancellationToken.None);
                }

                await inFlight.Writer.WriteAsync((appends, System.Diagnostics.Stopwatch.GetTimestamp()), stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // Only the acknowledgement loop cancels `stop` on its own: it failed, and awaiting it below throws its error.
        }
        catch
        {
            // Never leave the acknowledgement loop writing to a call that is ending.
            inFlight.Writer.TryComplete();
            await stop.CancelAsync().ConfigureAwait(false);
            await acknowledging.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        // Requests accepted before a bad one are still acknowledged (their entries are in the log); then the call ends
        // with the bad request's error, nothing of it appended.
        inFlight.Writer.TryComplete();
        await acknowledging.ConfigureAwait(false);
        if (rejected is not null)
        {
            throw rejected;
        }
    }

    private static GrpcStatusException? Validate(LogService service, AppendEntries request)
    {
        if (request.Entries.Count == 0)
        {
            return Invalid("AppendEntries.entries is empty: send at least one entry per request.");
        }

        foreach (var entry in request.Entries)
        {
            try
            {
                service.EntryLimits.Validate(entry.Payload.Length, entry.Properties);
            }
            catch (WoodpeckerException error)
            {
                return GrpcErrorMapping.ToStatus(error);
            }
        }

        return null;
    }

    private static async Task AcknowledgeInOrderAsync(
        ChannelReader<(Task<LogPosition>[] Appends, long ReceivedAt)> inFlight, IGrpcStreamWriter<AppendResponse> responses, Func<bool> isServing, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var (appends, receivedAt) in inFlight.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var acknowledged = new EntriesAppended();
                foreach (var append in appends)
                {
                    acknowledged.Positions.Add(ToProto(await append.ConfigureAwait(false)));
                }

                RequireServing(isServing);
                await responses.WriteAsync(new AppendResponse { Appended = acknowledged }, stop.Token).ConfigureAwait(false);
                GatewayMetrics.AppendRequests.Add(1);
                GatewayMetrics.AppendRequestDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(receivedAt).TotalMilliseconds);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ReadAsync(LogService service, Func<bool> isServing, ReadRequest request, IGrpcStreamWriter<ReadResponse> responses, GrpcServerCallContext context)
    {
        var start = request.StartCase switch
        {
            ReadRequest.StartOneofCase.Earliest => ReadStart.Earliest,
            ReadRequest.StartOneofCase.Latest => ReadStart.Latest,
            ReadRequest.StartOneofCase.Position => ReadStart.At(new LogPosition(request.Position.SegmentId, request.Position.EntryId)),
            _ => throw Invalid("ReadRequest needs a start: earliest, latest or position."),
        };
        await using var session = await service.OpenReaderAsync(request.LogName, start, new GrainReaderOptions { Follow = request.Follow }, context.CancellationToken)
            .ConfigureAwait(false);
        await foreach (var batch in session.ReadBatchesAsync(context.CancellationToken).ConfigureAwait(false))
        {
            RequireServing(isServing);
            var response = new ReadResponse();
            foreach (var message in batch)
            {
                var entry = new ReadEntry { Position = ToProto(message.Position), Payload = UnsafeByteOperations.UnsafeWrap(message.Payload) };
                foreach (var (key, value) in message.Properties)
                {
                    entry.Properties[key] = value;
                }

                response.Entries.Add(entry);
            }

            await responses.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T> Guarded<T>(Func<bool> isServing, Func<Task<T>> call)
    {
        RequireServing(isServing);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception error) when (!isServing() && error is not (OperationCanceledException or GrpcStatusException { Status: GrpcStatusCode.Unavailable }))
        {
            // Whatever failed, it failed because this silo stopped serving (its grains were dropped): say so, so the
            // client reconnects elsewhere instead of treating it as the log's own error.
            throw GrpcErrorMapping.ToStatus(new ServiceUnavailableException(
                $"This silo stopped serving while the call ran ({error.Message}); reconnect to another silo.", error));
        }
        catch (WoodpeckerException error)
        {
            throw GrpcErrorMapping.ToStatus(error);
        }
        catch (Exception error) when (error is not (OperationCanceledException or GrpcStatusException or ArgumentException))
        {
            throw GrpcErrorMapping.ToStatus(ErrorTranslation.ToWoodpecker(error));
        }
        catch (ArgumentException error)
        {
            throw GrpcErrorMapping.ToStatus(new WoodpeckerException(WoodpeckerErrorCode.InvalidArgument, error.Message, error));
        }
    }

    private static void RequireServing(Func<bool> isServing)
    {
        if (!isServing())
        {
            GatewayMetrics.CallsRefusedNotServing.Add(1);
            throw GrpcErrorMapping.ToStatus(new ServiceUnavailableException(
                "This silo lost its cluster lease and stopped serving; reconnect to another silo."));
        }
    }

    private static GrpcStatusException Invalid(string message) =>
        GrpcErrorMapping.ToStatus(new WoodpeckerException(WoodpeckerErrorCode.InvalidArgument, message));

    private static Position ToProto(LogPosition position) => new() { SegmentId = position.SegmentId, EntryId = position.EntryId };
}
