using Google.Protobuf;
using Woodpecker.Transport.Client;
using Woodpecker.Transport.Framing;

namespace Woodpecker.Transport;

/// <summary>
/// Calls gRPC methods on one server over HTTP/2: h2c (prior knowledge) for http:// addresses, TLS for https://. Calls
/// share the channel's connections (several, when one connection's stream limit is reached). Thread-safe; make one
/// per server and reuse it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly bool _ownsHandler;

    /// <summary>Creates a channel to <paramref name="address"/>.</summary>
    public GrpcChannel(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"A gRPC address must be http:// or https:// (got '{address}').", nameof(address));
        }

        Options = options ?? new GrpcChannelOptions();
        Options.Validate();
        Address = address;
        HttpMessageHandler handler;
        if (Options.Handler is { } given)
        {
            handler = given;
        }
        else
        {
            handler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = Options.ConnectTimeout,
                KeepAlivePingDelay = Options.KeepAlivePingDelay,
                KeepAlivePingTimeout = Options.KeepAlivePingTimeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),

                // Direct connections: HTTP/2 with prior knowledge does not pass an HTTP/1.1 proxy (HTTP_PROXY and
                // the like would otherwise apply to every non-loopback address). Pass a Handler to use one.
                UseProxy = false,
            };
            _ownsHandler = true;
        }

        Http = new HttpClient(handler, disposeHandler: _ownsHandler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The server's address.</summary>
    public Uri Address { get; }

    /// <summary>The channel's settings.</summary>
    public GrpcChannelOptions Options { get; }

    internal HttpClient Http { get; }

    /// <summary>Calls a unary method.</summary>
    /// <param name="fullMethod">"/package.Service/Method".</param>
    /// <param name="request">The request.</param>
    /// <param name="responseParser">Parses the response.</param>
    /// <param name="options">Deadline, cancellation, headers.</param>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        string fullMethod, TRequest request, MessageParser<TResponse> responseParser, GrpcCallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var content = new ByteArrayContent(GrpcFraming.ToArray(request, Options.MaxSendMessageBytes));
        await using var call = new ClientCall<TResponse>(this, fullMethod, content, responseParser, options);
        var response = await call.ReadAsync(default).ConfigureAwait(false)
            ?? throw new GrpcStatusException(GrpcStatusCode.Internal, $"{Address} ended {fullMethod} with OK but sent no response message.");

        // Read to the end for the status: a server may fail after it sent the message.
        if (await call.ReadAsync(default).ConfigureAwait(false) is not null)
        {
            throw new GrpcStatusException(GrpcStatusCode.Internal, $"{Address} sent more than one response to the unary call {fullMethod}.");
        }

        return response;
    }

    /// <summary>Starts a server-streaming call.</summary>
    public GrpcServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(
        string fullMethod, TRequest request, MessageParser<TResponse> responseParser, GrpcCallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var content = new ByteArrayContent(GrpcFraming.ToArray(request, Options.MaxSendMessageBytes));
        return new GrpcServerStreamingCall<TResponse>(new ClientCall<TResponse>(this, fullMethod, content, responseParser, options));
    }

    /// <summary>Starts a bidirectional-streaming call.</summary>
    public GrpcDuplexCall<TRequest, TResponse> Duplex<TRequest, TResponse>(
        string fullMethod, MessageParser<TResponse> responseParser, GrpcCallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var content = new StreamingRequestContent(Options.MaxSendMessageBytes);
        return new GrpcDuplexCall<TRequest, TResponse>(new ClientCall<TResponse>(this, fullMethod, content, responseParser, options), content);
    }

    /// <inheritdoc />
    public void Dispose() => Http.Dispose();
}
