using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Woodpecker.Transport.Tests.Protos;
using Xunit;

namespace Woodpecker.Transport.Tests;

/// <summary>Calls to an address where nothing listens fail fast with Unavailable.</summary>
public sealed class ServerDownTests
{
    [Fact(Timeout = 30_000)]
    public async Task Nothing_listening_is_unavailable_within_the_connect_timeout()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var channel = new GrpcChannel(address, new GrpcChannelOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });
        var stopwatch = Stopwatch.StartNew();

        var unary = await Assert.ThrowsAsync<GrpcStatusException>(() => channel.UnaryAsync("/test.Echo/Echo", new Ping(), Pong.Parser));
        await using var stream = channel.ServerStreaming("/test.Echo/Count", new Ping(), Pong.Parser);
        var streamed = await Assert.ThrowsAsync<GrpcStatusException>(async () => await stream.ReadAllAsync().ToListAsync());
        await using var duplex = channel.Duplex<Ping, Pong>("/test.Echo/Chat", Pong.Parser);
        var written = await Assert.ThrowsAsync<GrpcStatusException>(async () => await duplex.WriteAsync(new Ping()).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(GrpcStatusCode.Unavailable, unary.Status);
        Assert.Equal(GrpcStatusCode.Unavailable, streamed.Status);
        Assert.Equal(GrpcStatusCode.Unavailable, written.Status);
        Assert.StartsWith($"could not reach {address}", unary.Detail, StringComparison.Ordinal);

        // Callers retry elsewhere only when the request was never sent; they tell by the original exception inside.
        foreach (var error in new[] { unary, streamed, written })
        {
            Assert.Equal(HttpRequestError.ConnectionError, Assert.IsType<HttpRequestException>(error.InnerException).HttpRequestError);
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(6), $"took {stopwatch.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Hanging_connect_is_unavailable_after_the_connect_timeout()
    {
        // A listener that never accepts, its backlog filled: Linux drops further SYNs, so a connect hangs (no refusal).
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                _ = filler.ConnectAsync(endpoint).ContinueWith(t => t.Exception, TaskScheduler.Default);
            }

            await Task.Delay(200);
            using var channel = new GrpcChannel(new Uri($"http://127.0.0.1:{endpoint.Port}"), new GrpcChannelOptions { ConnectTimeout = TimeSpan.FromMilliseconds(500) });
            var stopwatch = Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<GrpcStatusException>(() => channel.UnaryAsync("/test.Echo/Echo", new Ping(), Pong.Parser).WaitAsync(TimeSpan.FromSeconds(10)));

            Assert.Equal(GrpcStatusCode.Unavailable, error.Status);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }
}
