using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Google.Protobuf;
using Woodpecker.Transport.Framing;

namespace Woodpecker.Transport.Client;

/// <summary>
/// The machinery of one client call: sends the request, turns transport failures into gRPC statuses, reads framed
/// responses and, at the end, the status from the trailers. Owns the call's cancellation (deadline and caller).
/// </summary>
internal sealed class ClientCall<TResponse> : IAsyncDisposable
    where TResponse : class, IMessage<TResponse>
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");

    // Response headers that are HTTP's own, not trailers (for trailers-only responses, whose trailers are the headers).
    private static readonly HashSet<string> IgnoredHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-length", "date", "server", "grpc-encoding", "grpc-accept-encoding",
    };

    private readonly GrpcChannel _channel;
    private readonly string _method;
    private readonly MessageParser<TResponse> _parser;
    private readonly CancellationTokenSource _cancel;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationToken _callerToken;
    private readonly Task<HttpResponseMessage> _response;
    private readonly StreamingRequestContent? _requests;
    private PipeReader? _body;
    private bool _finished;
    private int _disposed;
    private GrpcStatusException? _failure;

    public ClientCall(GrpcChannel channel, string method, HttpContent content, MessageParser<TResponse> parser, GrpcCallOptions options)
    {
        _requests = content as StreamingRequestContent;
        _channel = channel;
        _method = method;
        _parser = parser;
        _callerToken = options.CancellationToken;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(channel.Address, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        content.Headers.ContentType = GrpcContentType;
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (options.Timeout is { } requested)
        {
            // A caller whose budget ran out passes zero or less: the call then fails at once with DeadlineExceeded.
            var timeout = requested > TimeSpan.Zero ? requested : TimeSpan.FromTicks(1);
            request.Headers.TryAddWithoutValidation("grpc-timeout", GrpcTimeout.Format(timeout));
            _deadline = new CancellationTokenSource(timeout);
            _deadline.Token.Register(static s => ((CancellationTokenSource)s!).Cancel(), _cancel);
        }

        foreach (var (name, value) in options.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        _response = channel.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _cancel.Token);

        // Once the headers are in, cancelling SendAsync's token no longer resets the HTTP/2 stream; disposing the
        // response does (RST_STREAM), so the server's RequestAborted fires.
        _cancel.Token.Register(static s => ((ClientCall<TResponse>)s!).AbortResponse(), this);
        if (_requests is not null)
        {
            // A duplex writer must not wait for a stream that will never take its message.
            _cancel.Token.Register(static s => ((StreamingRequestContent)s!).Abort(new OperationCanceledException("The call was cancelled.")), _requests);
            _response.ContinueWith(
                static (t, s) => ((StreamingRequestContent)s!).Abort(t.Exception!.InnerException!),
                _requests,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    public CancellationToken Token => _cancel.Token;

    public IReadOnlyDictionary<string, string> Trailers { get; private set; } = new Dictionary<string, string>();

    /// <summary>The next response message; null after an OK end. Throws <see cref="GrpcStatusException"/> otherwise.</summary>
    public async ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return _failure is null ? null : throw _failure;
        }

        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, cancellationToken) : null;
        var token = linked?.Token ?? _cancel.Token;
        try
        {
            if (_body is null)
            {
                var response = await _response.WaitAsync(token).ConfigureAwait(false);
                CheckHeaders(response);
                if (_finished)
                {
                    return null; // trailers-only, OK
                }

                _body = PipeReader.Create(await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false));
            }

            TResponse? message;
            try
            {
                message = await GrpcFraming.ReadAsync(_body, _parser, _channel.Options.MaxReceiveMessageBytes, token).ConfigureAwait(false);
            }
            catch (GrpcStatusException bad)
            {
                // A response this side cannot take (too large, unparsable): the call is over; reset the stream so the
                // server stops sending.
                (_finished, _failure) = (true, bad);
                _requests?.Abort(bad);
                await _cancel.CancelAsync().ConfigureAwait(false);
                throw;
            }

            if (message is not null)
            {
                return message;
            }

            var ended = _response.Result;
            CheckStatus(ended.TrailingHeaders.Contains("grpc-status") ? ended.TrailingHeaders : ended.Headers);
            return null;
        }
        catch (Exception ex) when (ex is not GrpcStatusException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // A read given up half-way leaves the stream unusable: cancelling a read cancels the call.
                await _cancel.CancelAsync().ConfigureAwait(false);
            }

            throw Translate(ex, cancellationToken);
        }
    }

    /// <summary>What a failed duplex write reports: the call's end when it ended, else the transport failure.</summary>
    public Exception WriteFailure(Exception error, CancellationToken writeToken)
    {
        if (_failure is not null)
        {
            return _failure;
        }

        if (_finished)
        {
            return new InvalidOperationException($"The call {_method} has ended; the server takes no more requests.", error);
        }

        if (_response.IsFaulted)
        {
            return Translate(_response.Exception!.InnerException!, writeToken);
        }

        return Translate(error is ChannelClosedException { InnerException: { } inner } ? inner : error, writeToken);
    }

    public Exception Translate(Exception error, CancellationToken readToken)
    {
        if (error is OperationCanceledException && (_cancel.IsCancellationRequested || readToken.IsCancellationRequested))
        {
            if (_callerToken.IsCancellationRequested || readToken.IsCancellationRequested)
            {
                return new OperationCanceledException($"The call {_method} was cancelled.", error, _callerToken.IsCancellationRequested ? _callerToken : readToken);
            }

            if (_deadline?.IsCancellationRequested == true)
            {
                return new GrpcStatusException(GrpcStatusCode.DeadlineExceeded, $"The call {_method} to {_channel.Address} did not complete before its deadline.", inner: error);
            }

            return new GrpcStatusException(GrpcStatusCode.Cancelled, $"The call {_method} was cancelled.", inner: error);
        }

        return error switch
        {
            // OperationCanceledException without a cancelled token: the handler's connect timeout.
            HttpRequestException or IOException or ObjectDisposedException or OperationCanceledException =>
                new GrpcStatusException(GrpcStatusCode.Unavailable, $"could not reach {_channel.Address}: {Describe(error)} ({_method})", inner: error),
            _ => new GrpcStatusException(GrpcStatusCode.Internal, $"The call {_method} to {_channel.Address} failed: {error.Message}", inner: error),
        };
    }

    public async ValueTask DisposeAsync()
    {
        // Callers may dispose from a failure path and again from their own disposal: only the first one runs.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _requests?.Abort(new ObjectDisposedException($"The call {_method}"));
        if (!_finished)
        {
            // Resets the HTTP/2 stream, so the server's handler sees the cancellation.
            await _cancel.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await ((Task)_response).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_response.IsCompletedSuccessfully)
            {
                _response.Result.Dispose();
            }
        }
        finally
        {
            if (_body is not null)
            {
                await _body.CompleteAsync().ConfigureAwait(false);
            }

            _deadline?.Dispose();
            _cancel.Dispose();
        }
    }

    private void AbortResponse()
    {
        if (_response.IsCompletedSuccessfully)
        {
            _response.Result.Dispose();
        }
    }

    private void CheckHeaders(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = response.StatusCode switch
            {
                HttpStatusCode.BadRequest => GrpcStatusCode.Internal,
                HttpStatusCode.Unauthorized => GrpcStatusCode.Unauthenticated,
                HttpStatusCode.Forbidden => GrpcStatusCode.PermissionDenied,
                HttpStatusCode.NotFound => GrpcStatusCode.Unimplemented,
                HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => GrpcStatusCode.Unavailable,
                _ => GrpcStatusCode.Unknown,
            };
            throw new GrpcStatusException(status, $"{_channel.Address} answered {_method} with HTTP {(int)response.StatusCode}, not a gRPC response.");
        }

        // A "trailers-only" response carries the status in its headers.
        if (response.Headers.Contains("grpc-status"))
        {
            CheckStatus(response.Headers);
        }
    }

    private void CheckStatus(HttpHeaders trailers)
    {
        _finished = true;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in trailers)
        {
            if (!IgnoredHeaders.Contains(name))
            {
                values[name] = string.Join(",", value);
            }
        }

        if (!values.Remove("grpc-status", out var statusText)
            || !int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var statusCode))
        {
            _failure = new GrpcStatusException(GrpcStatusCode.Internal, $"{_channel.Address} ended {_method} without a valid grpc-status.");
            _requests?.Abort(_failure);
            throw _failure;
        }

        values.Remove("grpc-message", out var message);
        Trailers = values;
        if (statusCode != 0)
        {
            _failure = new GrpcStatusException((GrpcStatusCode)statusCode, GrpcMessageText.Decode(message), values);
            _requests?.Abort(_failure);
            throw _failure;
        }

        _requests?.Abort(new InvalidOperationException($"The call {_method} has ended."));
    }

    private static string Describe(Exception error)
    {
        // HttpRequestException's own message is generic ("An error occurred while sending the request"); the inner
        // socket error says what happened.
        var text = error.Message;
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += " " + inner.Message;
        }

        return text;
    }
}
