using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Woodpecker.Transport.Tests.Protos;
using Xunit;

namespace Woodpecker.Transport.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) serving the "test.Echo" service, plus hooks tests use to see what
/// handlers observed (a handler's token firing, acknowledgements a streaming handler waits for).
/// </summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    public const string Service = "test.Echo";
    public const int MaxReceiveBytes = 1024 * 1024;

    private WebApplication? _app;

    /// <summary>Completed when the handler of the call tagged with that key saw its CancellationToken fire.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> Cancelled { get; } = new();

    /// <summary>Acknowledgements a "Count" stream waits for before sending its next message (keyed by the call's text).</summary>
    public ConcurrentDictionary<string, Channel<int>> Acks { get; } = new();

    public Uri Address { get; private set; } = null!;

    public TaskCompletionSource CancelledFor(string key) =>
        Cancelled.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public Channel<int> AcksFor(string key) => Acks.GetOrAdd(key, _ => Channel.CreateUnbounded<int>());

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => GrpcKestrel.ListenH2c(kestrel, IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGrpcService(Define(), new GrpcServerOptions { MaxReceiveMessageBytes = MaxReceiveBytes });

        // Answers with a frame that is no protobuf message, to test the client's parsing.
        _app.MapPost("/raw.Bad/Garbage", async http =>
        {
            http.Response.ContentType = "application/grpc";
            var frame = new byte[] { 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF };
            await http.Response.Body.WriteAsync(frame);
            http.Response.AppendTrailer("grpc-status", "0");
        });
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        Address = new Uri(addresses.Single());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }

    /// <summary>A framed message for raw HTTP requests.</summary>
    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private GrpcServiceDefinition Define() => new GrpcServiceDefinition(Service)
        .AddUnary<Ping, Pong>("Echo", Ping.Parser, EchoAsync)
        .AddServerStreaming<Ping, Pong>("Count", Ping.Parser, CountAsync)
        .AddServerStreaming<Ping, Pong>("Forever", Ping.Parser, ForeverAsync)
        .AddDuplexStreaming<Ping, Pong>("Chat", Ping.Parser, ChatAsync)
        .AddDuplexStreaming<Ping, Pong>("ChatThenFail", Ping.Parser, ChatThenFailAsync);

    private async Task<Pong> EchoAsync(Ping request, GrpcServerCallContext context)
    {
        switch (request.Text)
        {
            case "throw-status":
                throw new GrpcStatusException(
                    GrpcStatusCode.FailedPrecondition,
                    "naïve 100% sure: ✓ «done»\r\nnext line",
                    new Dictionary<string, string> { ["wp-error-code"] = "LOG_SEALED" });
            case "throw-plain":
                throw new InvalidOperationException("plain failure");
            case "wait":
                await WaitForCancellationAsync(request.Payload.ToStringUtf8(), context.CancellationToken);
                break;
            case "big-response":
                return new Pong { Payload = ByteString.CopyFrom(new byte[request.Number]) };
            case "trailer":
                context.SetTrailer("wp-served-by", "fixture");
                break;
        }

        return new Pong { Text = request.Text, Number = request.Number + 1, Payload = request.Payload };
    }

    private async Task CountAsync(Ping request, IGrpcStreamWriter<Pong> responses, GrpcServerCallContext context)
    {
        var acks = AcksFor(request.Text);
        for (var i = 0; i < request.Number; i++)
        {
            await responses.WriteAsync(new Pong { Number = i }, context.CancellationToken);

            // The next message goes out only once the client has received this one: unflushed messages would hang.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var acked = await acks.Reader.ReadAsync(timeout.Token);
            if (acked != i)
            {
                throw new GrpcStatusException(GrpcStatusCode.Internal, $"ack {acked} for message {i}");
            }
        }
    }

    private async Task ForeverAsync(Ping request, IGrpcStreamWriter<Pong> responses, GrpcServerCallContext context)
    {
        await responses.WriteAsync(new Pong { Number = 0 }, context.CancellationToken);
        await WaitForCancellationAsync(request.Text, context.CancellationToken);
    }

    private static async Task ChatAsync(IGrpcStreamReader<Ping> requests, IGrpcStreamWriter<Pong> responses, GrpcServerCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            await responses.WriteAsync(new Pong { Text = request.Text.ToUpperInvariant(), Number = request.Number }, context.CancellationToken);
        }

        context.SetTrailer("wp-chat-end", "bye");
    }

    private static async Task ChatThenFailAsync(IGrpcStreamReader<Ping> requests, IGrpcStreamWriter<Pong> responses, GrpcServerCallContext context)
    {
        var first = await requests.ReadAsync(context.CancellationToken);
        await responses.WriteAsync(new Pong { Number = first?.Number ?? -1 }, context.CancellationToken);
        throw new GrpcStatusException(GrpcStatusCode.Aborted, "conflict", new Dictionary<string, string> { ["wp-error-code"] = "FENCED" });
    }

    private async Task WaitForCancellationAsync(string key, CancellationToken token)
    {
        using var registration = token.Register(() => CancelledFor(key).TrySetResult());

        // Bounded, so a broken cancellation path cannot leave a handler behind forever.
        await Task.Delay(TimeSpan.FromSeconds(30), token);
    }
}
