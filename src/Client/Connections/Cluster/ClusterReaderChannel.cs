using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Protocol.V1;
using Woodpecker.Silo.Gateway;
using Woodpecker.Transport;

namespace Woodpecker.Client.Connections.Cluster;

/// <summary>
/// A reader over the Read stream. When its silo is lost, it reopens the stream on another silo from the position after
/// the last entry it delivered, so no entry is delivered twice or skipped.
/// </summary>
internal sealed class ClusterReaderChannel : IReaderChannel
{
    private readonly ClusterConnection _connection;
    private readonly string _logName;
    private readonly ReadStart _start;
    private readonly LogReaderOptions _options;
    private LogPosition? _next;
    private GrpcServerStreamingCall<ReadResponse>? _call;

    public ClusterReaderChannel(ClusterConnection connection, string logName, ReadStart start, LogReaderOptions options)
    {
        _connection = connection;
        _logName = logName;
        _start = start;
        _options = options;
        if (start.Kind == ReadStartKind.Position)
        {
            _next = start.Position;
        }
    }

    public LogPosition NextPosition => _next ?? default;

    public async IAsyncEnumerable<IReadOnlyList<LogMessage>> ReadBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var failures = 0;
        var deadline = DateTime.MaxValue;
        while (true)
        {
            var (endpoint, channel) = _connection.Router.Route(_logName);
            var request = new ReadRequest { LogName = _logName, Follow = _options.Follow };
            if (_next is { } next)
            {
                request.Position = new Position { SegmentId = next.SegmentId, EntryId = next.EntryId };
            }
            else if (_start.Kind == ReadStartKind.Latest)
            {
                request.Latest = true;
            }
            else
            {
                request.Earliest = true;
            }

            if (_call is not null)
            {
                await _call.DisposeAsync().ConfigureAwait(false);
            }

            _call = channel.ServerStreaming("/woodpecker.v1.LogService/Read", request, ReadResponse.Parser, new GrpcCallOptions(null, cancellationToken));
            var enumerator = _call.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            Exception? lost = null;
            try
            {
                while (true)
                {
                    ReadResponse response;
                    try
                    {
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                        {
                            yield break;
                        }

                        response = enumerator.Current;
                    }
                    catch (GrpcStatusException failed) when (failed.Status == GrpcStatusCode.Unavailable)
                    {
                        lost = failed;
                        break;
                    }
                    catch (GrpcStatusException failed)
                    {
                        throw GrpcErrorMapping.ToWoodpecker(failed, endpoint);
                    }

                    failures = 0;
                    deadline = DateTime.MaxValue;
                    var batch = new List<LogMessage>(response.Entries.Count);
                    foreach (var entry in response.Entries)
                    {
                        batch.Add(new LogMessage(new LogPosition(entry.Position.SegmentId, entry.Position.EntryId), entry.Payload.Memory, entry.Properties));
                    }

                    if (batch.Count > 0)
                    {
                        var last = batch[^1].Position;
                        _next = new LogPosition(last.SegmentId, last.EntryId + 1);
                        yield return batch;
                    }
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            // The silo went away: resume elsewhere from the next position, for a bounded number of attempts and time.
            failures++;
            if (deadline == DateTime.MaxValue)
            {
                deadline = DateTime.UtcNow + _connection.Options.CallTimeout;
            }

            if (failures >= _connection.Options.MaxAttempts * 4 || DateTime.UtcNow > deadline)
            {
                throw new ServiceUnavailableException(
                    $"Reading log '{_logName}' failed: no silo could serve it within {_connection.Options.CallTimeout.TotalSeconds:0} s (last: {lost?.Message}). " +
                    $"Reopen the reader at {NextPosition} to continue.", lost);
            }

            _connection.Router.ReportUnavailable(endpoint);
            if (_connection.Logger.IsEnabled(LogLevel.Information))
            {
                _connection.Logger.LogInformation(
                    "The Read stream of log '{Log}' from {Silo} broke ({Error}); resuming at {Position}.", _logName, endpoint, lost?.Message, NextPosition);
            }
            await Task.Delay(ClusterConnection.Backoff(failures), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_call is not null)
        {
            await _call.DisposeAsync().ConfigureAwait(false);
        }
    }
}
