using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Woodpecker.Transport.Framing;

namespace Woodpecker.Transport.Server;

/// <summary>One call being served: reads request frames from the body, writes response frames (flushed one by one).</summary>
#pragma warning disable CA1001 // See _writeLock.
internal sealed class ServerCall
#pragma warning restore CA1001
{
    private readonly HttpContext _http;
    private readonly GrpcServerOptions _options;

    // Handlers may write from several tasks; frames must not interleave. Never disposed: it holds no wait handle unless
    // AvailableWaitHandle is used, and a call's lifetime ends with the request.
#pragma warning disable CA2213
    private readonly SemaphoreSlim _writeLock = new(1, 1);
#pragma warning restore CA2213

    public ServerCall(HttpContext http, GrpcServerOptions options, GrpcServerCallContext context)
    {
        _http = http;
        _options = options;
        Context = context;
    }

    public GrpcServerCallContext Context { get; }

    public ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T> =>
        GrpcFraming.ReadAsync(_http.Request.BodyReader, parser, _options.MaxReceiveMessageBytes, cancellationToken);

    public async ValueTask WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            GrpcFraming.Write(_http.Response.BodyWriter, message, _options.MaxSendMessageBytes);
            await _http.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public sealed class Reader<T>(ServerCall call, MessageParser<T> parser) : IGrpcStreamReader<T>
        where T : class, IMessage<T>
    {
        public ValueTask<T?> ReadAsync(CancellationToken cancellationToken = default) =>
            call.ReadAsync(parser, Link(cancellationToken));

        public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                yield return message;
            }
        }

        private CancellationToken Link(CancellationToken cancellationToken) =>
            cancellationToken.CanBeCanceled ? cancellationToken : call.Context.CancellationToken;
    }

    public sealed class Writer<T>(ServerCall call) : IGrpcStreamWriter<T>
        where T : class, IMessage<T>
    {
        public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default) =>
            call.WriteAsync(message, cancellationToken.CanBeCanceled ? cancellationToken : call.Context.CancellationToken);
    }
}
