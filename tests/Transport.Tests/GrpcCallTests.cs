using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Woodpecker.Transport.Tests.Protos;
using Xunit;

namespace Woodpecker.Transport.Tests;

/// <summary>Calls over real HTTP/2 to a Kestrel server: every call shape, every failure path.</summary>
public sealed class GrpcCallTests : IClassFixture<EchoServerFixture>, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly EchoServerFixture _server;
    private readonly GrpcChannel _channel;

    public GrpcCallTests(EchoServerFixture server)
    {
        _server = server;
        _channel = new GrpcChannel(server.Address);
    }

    public void Dispose() => _channel.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task Unary_round_trip()
    {
        var pong = await _channel.UnaryAsync("/test.Echo/Echo", new Ping { Text = "hello", Number = 41, Payload = ByteString.CopyFromUtf8("p") }, Pong.Parser);

        Assert.Equal("hello", pong.Text);
        Assert.Equal(42, pong.Number);
        Assert.Equal("p", pong.Payload.ToStringUtf8());
    }

    [Fact(Timeout = 30_000)]
    public async Task Many_concurrent_unary_calls_share_the_channel()
    {
        var calls = Enumerable.Range(0, 200).Select(i => _channel.UnaryAsync("/test.Echo/Echo", new Ping { Number = i }, Pong.Parser));

        var pongs = await Task.WhenAll(calls).WaitAsync(Wait);

        Assert.Equal(Enumerable.Range(1, 200), pongs.Select(p => p.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Unary_ok_carries_trailers_set_by_the_handler()
    {
        var call = _channel.ServerStreaming("/test.Echo/Echo", new Ping { Text = "trailer" }, Pong.Parser);
        await using (call)
        {
            var pongs = await call.ReadAllAsync().ToListAsync().AsTask().WaitAsync(Wait);
            Assert.Single(pongs);
            Assert.Equal("fixture", call.Trailers["wp-served-by"]);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Server_streaming_flushes_every_message()
    {
        var key = Guid.NewGuid().ToString();
        var acks = _server.AcksFor(key);
        await using var call = _channel.ServerStreaming("/test.Echo/Count", new Ping { Text = key, Number = 5 }, Pong.Parser);

        // The server sends message i+1 only after the ack for i, so each message must arrive on its own.
        var received = new List<int>();
        using var timeout = new CancellationTokenSource(Wait);
        await foreach (var pong in call.ReadAllAsync(timeout.Token))
        {
            received.Add(pong.Number);
            await acks.Writer.WriteAsync(pong.Number);
        }

        Assert.Equal([0, 1, 2, 3, 4], received);
    }

    [Fact(Timeout = 30_000)]
    public async Task Duplex_interleaves_requests_and_responses()
    {
        await using var call = _channel.Duplex<Ping, Pong>("/test.Echo/Chat", Pong.Parser);

        // Each response must come back before the next request is sent: the request body stays open meanwhile.
        for (var i = 0; i < 5; i++)
        {
            await call.WriteAsync(new Ping { Text = $"msg{i}", Number = i }).AsTask().WaitAsync(Wait);
            var pong = await call.ReadAsync().AsTask().WaitAsync(Wait);
            Assert.NotNull(pong);
            Assert.Equal($"MSG{i}", pong.Text);
            Assert.Equal(i, pong.Number);
        }

        await call.CompleteRequestsAsync();
        Assert.Null(await call.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.Equal("bye", call.Trailers["wp-chat-end"]);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await call.WriteAsync(new Ping()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Duplex_with_no_requests_ends_ok()
    {
        await using var call = _channel.Duplex<Ping, Pong>("/test.Echo/Chat", Pong.Parser);
        await call.CompleteRequestsAsync();

        Assert.Empty(await call.ReadAllAsync().ToListAsync().AsTask().WaitAsync(Wait));
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_exception_reaches_the_client_with_detail_and_trailers()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(
            () => _channel.UnaryAsync("/test.Echo/Echo", new Ping { Text = "throw-status" }, Pong.Parser));

        Assert.Equal(GrpcStatusCode.FailedPrecondition, error.Status);
        Assert.Equal("naïve 100% sure: ✓ «done»\r\nnext line", error.Detail);
        Assert.Equal("LOG_SEALED", error.Trailers["wp-error-code"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Plain_exception_becomes_unknown_without_a_stack_trace()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(
            () => _channel.UnaryAsync("/test.Echo/Echo", new Ping { Text = "throw-plain" }, Pong.Parser));

        Assert.Equal(GrpcStatusCode.Unknown, error.Status);
        Assert.Contains("plain failure", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Unknown_method_is_unimplemented()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(
            () => _channel.UnaryAsync("/test.Echo/NoSuchMethod", new Ping(), Pong.Parser));

        Assert.Equal(GrpcStatusCode.Unimplemented, error.Status);
        Assert.Contains("NoSuchMethod", error.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Unknown_service_is_unimplemented()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(
            () => _channel.UnaryAsync("/test.Nothing/Echo", new Ping(), Pong.Parser));

        Assert.Equal(GrpcStatusCode.Unimplemented, error.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Client_deadline_is_deadline_exceeded_and_cancels_the_handler()
    {
        var key = Guid.NewGuid().ToString();
        var handlerCancelled = _server.CancelledFor(key);
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => _channel.UnaryAsync(
            "/test.Echo/Echo", new Ping { Text = "wait", Payload = ByteString.CopyFromUtf8(key) }, Pong.Parser, new GrpcCallOptions(TimeSpan.FromMilliseconds(300))));

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Status);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
        await handlerCancelled.Task.WaitAsync(Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancelling_a_server_stream_cancels_the_handler()
    {
        var key = Guid.NewGuid().ToString();
        var handlerCancelled = _server.CancelledFor(key);
        using var cancel = new CancellationTokenSource();
        await using var call = _channel.ServerStreaming("/test.Echo/Forever", new Ping { Text = key }, Pong.Parser, new GrpcCallOptions(CancellationToken: cancel.Token));

        var enumerator = call.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(Wait));
        var next = enumerator.MoveNextAsync().AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Wait));
        await handlerCancelled.Task.WaitAsync(Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Disposing_a_server_stream_cancels_the_handler()
    {
        var key = Guid.NewGuid().ToString();
        var handlerCancelled = _server.CancelledFor(key);
        var call = _channel.ServerStreaming("/test.Echo/Forever", new Ping { Text = key }, Pong.Parser);
        await using (call)
        {
            await using var enumerator = call.ReadAllAsync().GetAsyncEnumerator();
            Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(Wait));
        }

        await handlerCancelled.Task.WaitAsync(Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Oversized_request_is_resource_exhausted_on_the_server()
    {
        var ping = new Ping { Payload = ByteString.CopyFrom(new byte[EchoServerFixture.MaxReceiveBytes + 1]) };

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => _channel.UnaryAsync("/test.Echo/Echo", ping, Pong.Parser));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Oversized_response_is_resource_exhausted_on_the_client()
    {
        using var small = new GrpcChannel(_server.Address, new GrpcChannelOptions { MaxReceiveMessageBytes = 1000 });

        var error = await Assert.ThrowsAsync<GrpcStatusException>(
            () => small.UnaryAsync("/test.Echo/Echo", new Ping { Text = "big-response", Number = 5000 }, Pong.Parser));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Status);

        // The channel still works afterwards.
        Assert.Equal(2, (await small.UnaryAsync("/test.Echo/Echo", new Ping { Number = 1 }, Pong.Parser)).Number);
    }

    [Fact(Timeout = 30_000)]
    public async Task Oversized_request_is_refused_before_sending()
    {
        using var small = new GrpcChannel(_server.Address, new GrpcChannelOptions { MaxSendMessageBytes = 1000 });
        var ping = new Ping { Payload = ByteString.CopyFrom(new byte[2000]) };

        var unary = await Assert.ThrowsAsync<GrpcStatusException>(() => small.UnaryAsync("/test.Echo/Echo", ping, Pong.Parser));
        await using var duplex = small.Duplex<Ping, Pong>("/test.Echo/Chat", Pong.Parser);
        var streamed = await Assert.ThrowsAsync<GrpcStatusException>(async () => await duplex.WriteAsync(ping));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, unary.Status);
        Assert.Equal(GrpcStatusCode.ResourceExhausted, streamed.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Malformed_request_is_internal()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, "/test.Echo/Echo"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(EchoServerFixture.Frame([0xFF, 0xFF, 0xFF])),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await http.SendAsync(request).WaitAsync(Wait);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = response.TrailingHeaders.Contains("grpc-status") ? response.TrailingHeaders : response.Headers;
        Assert.Equal(((int)GrpcStatusCode.Internal).ToString(), status.GetValues("grpc-status").Single());
    }

    [Fact(Timeout = 30_000)]
    public async Task Malformed_response_is_internal()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => _channel.UnaryAsync("/raw.Bad/Garbage", new Ping(), Pong.Parser));

        Assert.Equal(GrpcStatusCode.Internal, error.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Http1_request_is_refused()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, "/test.Echo/Echo"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(EchoServerFixture.Frame([])),
        };

        // The endpoint speaks HTTP/2 only: an HTTP/1.1 request does not get a gRPC answer.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await http.SendAsync(request).WaitAsync(Wait);
            response.EnsureSuccessStatusCode();
        });
    }

    [Fact(Timeout = 30_000)]
    public async Task Duplex_failure_after_a_response_reaches_reads_and_later_writes()
    {
        await using var call = _channel.Duplex<Ping, Pong>("/test.Echo/ChatThenFail", Pong.Parser);
        await call.WriteAsync(new Ping { Number = 3 }).AsTask().WaitAsync(Wait);

        var first = await call.ReadAsync().AsTask().WaitAsync(Wait);
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => call.ReadAsync().AsTask().WaitAsync(Wait));
        var writeError = await Assert.ThrowsAnyAsync<Exception>(() => call.WriteAsync(new Ping()).AsTask().WaitAsync(Wait));

        Assert.Equal(3, first?.Number);
        Assert.Equal(GrpcStatusCode.Aborted, error.Status);
        Assert.Equal("FENCED", error.Trailers["wp-error-code"]);
        Assert.Equal(GrpcStatusCode.Aborted, Assert.IsType<GrpcStatusException>(writeError).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Server_deadline_from_grpc_timeout_is_deadline_exceeded()
    {
        var key = Guid.NewGuid().ToString();
        var handlerCancelled = _server.CancelledFor(key);
        var headers = new Dictionary<string, string> { ["grpc-timeout"] = "200m" };

        // No local deadline: the status comes from the server.
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => _channel.UnaryAsync(
            "/test.Echo/Echo", new Ping { Text = "wait", Payload = ByteString.CopyFromUtf8(key) }, Pong.Parser, new GrpcCallOptions(Headers: headers)).WaitAsync(Wait));

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Status);
        await handlerCancelled.Task.WaitAsync(Wait);
    }

    [Fact(Timeout = 30_000)]
    public async Task Concurrent_duplex_writers_do_not_interleave_frames()
    {
        await using var call = _channel.Duplex<Ping, Pong>("/test.Echo/Chat", Pong.Parser);
        var reading = call.ReadAllAsync().Select(p => p.Number).ToListAsync().AsTask();

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
            await call.WriteAsync(new Ping { Number = i, Payload = ByteString.CopyFrom(new byte[i * 100]) })))).WaitAsync(Wait);
        await call.CompleteRequestsAsync();

        Assert.Equal(Enumerable.Range(0, 100), (await reading.WaitAsync(Wait)).Order());
    }
}
