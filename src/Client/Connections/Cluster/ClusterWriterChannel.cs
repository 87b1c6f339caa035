using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Flow;
using Woodpecker.Protocol.V1;
using Woodpecker.Silo.Gateway;
using Woodpecker.Transport;

namespace Woodpecker.Client.Connections.Cluster;

/// <summary>
/// A writer over the Append stream. Appends queued while earlier requests are in flight travel together in one
/// AppendEntries; acknowledgements come back in request order. When the stream breaks because a silo was lost, every
/// pending append fails with <see cref="ServiceUnavailableException"/> — its entry may or may not be in the log, and
/// it is never re-sent (that could write it twice) — and the next append reopens the writer on the log's current
/// silo, requiring the epoch it had, so a reconnect can never fence a writer that superseded this one.
/// </summary>
internal sealed class ClusterWriterChannel : IWriterChannel
{
    private readonly ClusterConnection _connection;
    private readonly string _logName;
    private readonly LogWriterOptions _options;
    private readonly SemaphoreSlim _reconnecting = new(1, 1);
    private WriterStream _stream;
    private Exception? _terminal;
    private int _closed;

    private ClusterWriterChannel(ClusterConnection connection, string logName, LogWriterOptions options, WriterStream stream)
    {
        _connection = connection;
        _logName = logName;
        _options = options;
        _stream = stream;
    }

    /// <summary>The epoch of the current stream: a transparent reconnect takes a new (higher) one.</summary>
    public long WriterEpoch => Volatile.Read(ref _stream).Epoch;

    public static async Task<ClusterWriterChannel> OpenAsync(ClusterConnection connection, string logName, LogWriterOptions options, CancellationToken cancellationToken)
    {
        var stream = await WriterStream.OpenAsync(connection, logName, options, expectedEpoch: 0, cancellationToken).ConfigureAwait(false);
        return new ClusterWriterChannel(connection, logName, options, stream);
    }

    public async Task<LogPosition> AppendAsync(ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? properties, CancellationToken cancellationToken)
    {
        var entry = new Entry { Payload = ByteString.CopyFrom(payload.Span) };
        if (properties is not null)
        {
            foreach (var (key, value) in properties)
            {
                entry.Properties[key] = value;
            }
        }

        var stream = await CurrentStreamAsync(cancellationToken).ConfigureAwait(false);
        return await stream.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    public Task FlushAsync(CancellationToken cancellationToken) => Volatile.Read(ref _stream).FlushAsync(cancellationToken);

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await Volatile.Read(ref _stream).CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (WoodpeckerException)
        {
            // Failed appends reported it already; disposing must not throw.
        }

        await Volatile.Read(ref _stream).DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<WriterStream> CurrentStreamAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) == 1)
        {
            throw new HandleClosedException($"The writer of log '{_logName}' is closed; open a new one.");
        }

        var stream = Volatile.Read(ref _stream);
        if (stream.Failure is null)
        {
            return stream;
        }

        await _reconnecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_terminal is not null)
            {
                throw _terminal;
            }

            stream = Volatile.Read(ref _stream);
            if (stream.Failure is null)
            {
                return stream;
            }

            if (stream.Failure is not ServiceUnavailableException)
            {
                // Fenced, invalid input, closed: the writer is done, as in embedded mode.
                _terminal = stream.Failure;
                throw _terminal;
            }

            // Require the epoch the lost stream held: if another writer opened since, this one is fenced, and must
            // never fence it back.
            var heldEpoch = stream.Epoch;
            await stream.DisposeAsync().ConfigureAwait(false);
            try
            {
                stream = await WriterStream.OpenAsync(_connection, _logName, _options, heldEpoch, cancellationToken).ConfigureAwait(false);
            }
            catch (WriterFencedException fenced)
            {
                _connection.Logger.LogWarning("The writer of log '{Log}' (epoch {Epoch}) could not reconnect: a newer writer took over.", _logName, heldEpoch);
                _terminal = fenced;
                throw;
            }

            if (_connection.Logger.IsEnabled(LogLevel.Information))
            {
                _connection.Logger.LogInformation(
                    "Reconnected the writer of log '{Log}' after losing its silo: epoch {OldEpoch} -> {NewEpoch}.", _logName, heldEpoch, stream.Epoch);
            }
            Volatile.Write(ref _stream, stream);
            return stream;
        }
        finally
        {
            _reconnecting.Release();
        }
    }

    /// <summary>One Append call: a send loop batching queued appends, a receive loop completing them in order.</summary>
    private sealed class WriterStream : IAsyncDisposable
    {
        private const int MaxEntriesPerRequest = 1024;
        private const long MaxBytesPerRequest = 4 * 1024 * 1024;
        private const int MaxRequestsInFlight = 64;

        private readonly GrpcDuplexCall<AppendRequest, AppendResponse> _call;
        private readonly Uri _endpoint;
        private readonly string _logName;
        private readonly Channel<Pending> _queue;
        private readonly Queue<List<Pending>> _awaiting = new();
        private readonly SemaphoreSlim _requestSlots = new(MaxRequestsInFlight, MaxRequestsInFlight);
        private readonly PendingBudget _budget;
        private readonly Lock _gate = new();
        private Task _sending = Task.CompletedTask;
        private Task _receiving = Task.CompletedTask;
        private Pending? _last;
        private Exception? _failure;

        private WriterStream(GrpcDuplexCall<AppendRequest, AppendResponse> call, Uri endpoint, string logName, long epoch, LogWriterOptions options)
        {
            _call = call;
            _endpoint = endpoint;
            _logName = logName;
            Epoch = epoch;
            // Unbounded: the budget bounds it, in bytes and in appends, and makes appends wait instead of failing.
            _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
            _budget = new PendingBudget(options.MaxPendingBytes, options.MaxPendingAppends);
        }

        public long Epoch { get; }

        public Exception? Failure => Volatile.Read(ref _failure);

        public static async Task<WriterStream> OpenAsync(ClusterConnection connection, string logName, LogWriterOptions options, long expectedEpoch, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + connection.Options.CallTimeout;
            for (var attempt = 1; ; attempt++)
            {
                var (endpoint, channel) = connection.Router.Route(logName);
                var call = channel.Duplex<AppendRequest, AppendResponse>("/woodpecker.v1.LogService/Append", AppendResponse.Parser, new GrpcCallOptions(null, CancellationToken.None));
                try
                {
                    using var openTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    openTimeout.CancelAfter(ClusterConnection.Remaining(deadline));
                    await call.WriteAsync(new AppendRequest { Open = new OpenWriter { LogName = logName, ExpectedWriterEpoch = expectedEpoch } }, openTimeout.Token).ConfigureAwait(false);
                    var opened = await call.ReadAsync(openTimeout.Token).ConfigureAwait(false);
                    if (opened?.KindCase != AppendResponse.KindOneofCase.Opened)
                    {
                        throw new GrpcStatusException(GrpcStatusCode.Internal, $"{endpoint} answered OpenWriter without WriterOpened.");
                    }

                    var stream = new WriterStream(call, endpoint, logName, opened.Opened.WriterEpoch, options);
                    stream._sending = Task.Run(stream.SendLoopAsync, CancellationToken.None);
                    stream._receiving = Task.Run(stream.ReceiveLoopAsync, CancellationToken.None);
                    return stream;
                }
                catch (GrpcStatusException failed) when (connection.ShouldRetry(failed, idempotent: expectedEpoch != 0 || ClusterConnection.NeverSent(failed), attempt, deadline))
                {
                    // Reopening with the epoch we hold is safe to repeat: it cannot fence anyone but ourselves.
                    await call.DisposeAsync().ConfigureAwait(false);
                    connection.Router.ReportUnavailable(endpoint);
                    await Task.Delay(ClusterConnection.Backoff(attempt), cancellationToken).ConfigureAwait(false);
                }
                catch (GrpcStatusException failed)
                {
                    await call.DisposeAsync().ConfigureAwait(false);
                    if (failed.Status == GrpcStatusCode.Unavailable)
                    {
                        connection.Router.ReportUnavailable(endpoint);
                    }

                    throw GrpcErrorMapping.ToWoodpecker(failed, endpoint);
                }
                catch (OperationCanceledException timedOut) when (!cancellationToken.IsCancellationRequested)
                {
                    await call.DisposeAsync().ConfigureAwait(false);
                    throw new WoodpeckerTimeoutException(
                        $"Opening the writer of log '{logName}' at {endpoint} did not complete within {connection.Options.CallTimeout.TotalSeconds:0} s (ClusterClientOptions.CallTimeout).",
                        timedOut);
                }
                catch
                {
                    await call.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }

        public async Task<LogPosition> AppendAsync(Entry entry, CancellationToken cancellationToken)
        {
            var bytes = entry.CalculateSize();
            await _budget.AcquireAsync(bytes, cancellationToken).ConfigureAwait(false);
            var pending = new Pending(entry, bytes);
            lock (_gate)
            {
                if (_failure is { } failure)
                {
                    _budget.Release(bytes);
                    throw failure;
                }

                if (!_queue.Writer.TryWrite(pending))
                {
                    _budget.Release(bytes);
                    throw new HandleClosedException($"The writer of log '{_logName}' is closing; open a new one to append more.");
                }

                _last = pending;
            }

            return await pending.Done.Task.ConfigureAwait(false);
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            Pending? last;
            lock (_gate)
            {
                last = _last;
            }

            if (last is not null)
            {
                await last.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (Failure is { } failure)
            {
                throw failure;
            }
        }

        public async Task CloseAsync(CancellationToken cancellationToken)
        {
            try
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _queue.Writer.TryComplete();
            }

            await _sending.ConfigureAwait(false);
            await _call.CompleteRequestsAsync().ConfigureAwait(false);

            // The server closes its writer session (completing the segment) and then ends the call.
            await _receiving.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Failure is { } failure and not HandleClosedException)
            {
                throw failure;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Fail(new HandleClosedException($"The writer of log '{_logName}' was closed."));
            await _call.DisposeAsync().ConfigureAwait(false);
            await Task.WhenAll(_sending, _receiving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private async Task SendLoopAsync()
        {
            var batch = new List<Pending>();
            try
            {
                while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    await _requestSlots.WaitAsync().ConfigureAwait(false);
                    batch = [];
                    long bytes = 0;
                    while (batch.Count < MaxEntriesPerRequest && bytes < MaxBytesPerRequest && _queue.Reader.TryRead(out var pending))
                    {
                        batch.Add(pending);
                        bytes += pending.Bytes;
                    }

                    if (batch.Count == 0)
                    {
                        _requestSlots.Release();
                        continue;
                    }

                    var request = new AppendEntries();
                    request.Entries.AddRange(batch.Select(p => p.Entry));
                    Exception? failure;
                    lock (_gate)
                    {
                        failure = _failure;
                        if (failure is null)
                        {
                            _awaiting.Enqueue(batch);
                        }
                    }

                    if (failure is not null)
                    {
                        // Fail() ran after these left the queue and before they were awaited: only this loop holds them.
                        foreach (var pending in batch)
                        {
                            _budget.Release(pending.Bytes);
                            pending.Done.TrySetException(failure);
                        }

                        return;
                    }

                    await _call.WriteAsync(new AppendRequest { Entries = request }).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                Fail(Translate(ex));
            }
        }

        private async Task ReceiveLoopAsync()
        {
            try
            {
                while (await _call.ReadAsync().ConfigureAwait(false) is { } response)
                {
                    if (response.KindCase != AppendResponse.KindOneofCase.Appended)
                    {
                        throw new GrpcStatusException(GrpcStatusCode.Internal, $"{_endpoint} sent an unexpected {response.KindCase} on the Append stream.");
                    }

                    List<Pending> batch;
                    lock (_gate)
                    {
                        if (!_awaiting.TryDequeue(out batch!))
                        {
                            throw new GrpcStatusException(GrpcStatusCode.Internal, $"{_endpoint} acknowledged more Append requests than were sent.");
                        }
                    }

                    if (response.Appended.Positions.Count != batch.Count)
                    {
                        throw new GrpcStatusException(GrpcStatusCode.Internal, $"{_endpoint} acknowledged {response.Appended.Positions.Count} entries of a request of {batch.Count}.");
                    }

                    for (var i = 0; i < batch.Count; i++)
                    {
                        _budget.Release(batch[i].Bytes);
                        batch[i].Done.TrySetResult(new LogPosition(response.Appended.Positions[i].SegmentId, response.Appended.Positions[i].EntryId));
                    }

                    _requestSlots.Release();
                }

                Fail(new HandleClosedException($"The writer of log '{_logName}' was closed."));
            }
            catch (Exception ex)
            {
                Fail(Translate(ex));
            }
        }

        private WoodpeckerException Translate(Exception error) => error switch
        {
            GrpcStatusException { Status: GrpcStatusCode.Unavailable or GrpcStatusCode.Cancelled or GrpcStatusCode.DeadlineExceeded } lost
                when !lost.Trailers.ContainsKey(GrpcErrorMapping.ErrorCodeTrailer) || lost.Status == GrpcStatusCode.Unavailable =>
                new ServiceUnavailableException(
                    $"The silo serving the writer of log '{_logName}' ({_endpoint}) was lost: {lost.Detail}. The outcome of the appends pending then is " +
                    "unknown — each is in the log at most once; read the log to see which. Later appends reconnect the writer.",
                    lost),
            GrpcStatusException failed => GrpcErrorMapping.ToWoodpecker(failed, _endpoint),
            WoodpeckerException typed => typed,
            _ => new ServiceUnavailableException($"The Append stream of log '{_logName}' to {_endpoint} failed: {error.Message}. Pending appends have an unknown outcome.", error),
        };

        /// <summary>Fails every pending append (sent or queued) once; later appends on this stream fail at once.</summary>
        private void Fail(Exception error)
        {
            List<Pending> failed = [];
            lock (_gate)
            {
                if (_failure is not null)
                {
                    return;
                }

                _failure = error;
                while (_awaiting.TryDequeue(out var batch))
                {
                    failed.AddRange(batch);
                }

                while (_queue.Reader.TryRead(out var queued))
                {
                    failed.Add(queued);
                }

                _queue.Writer.TryComplete();
            }

            foreach (var pending in failed)
            {
                _budget.Release(pending.Bytes);
                pending.Done.TrySetException(error);
            }

            if (_requestSlots.CurrentCount == 0)
            {
                // Unblocks a send loop waiting for a slot; it then sees the failure and stops.
                _requestSlots.Release();
            }

            _ = _call.DisposeAsync().AsTask();
        }
    }

    private sealed class Pending(Entry entry, long bytes)
    {
        public Entry Entry { get; } = entry;

        public long Bytes { get; } = bytes;

        public TaskCompletionSource<LogPosition> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
