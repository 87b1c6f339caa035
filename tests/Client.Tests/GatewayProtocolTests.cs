using System.Globalization;
using Woodpecker.Errors;
using Woodpecker.Protocol.V1;
using Woodpecker.Silo.Gateway;
using Woodpecker.Transport;
using Xunit;

namespace Woodpecker.Client.Tests;

/// <summary>
/// The gateway as any gRPC client sees it (no .NET client in between): malformed requests are refused with
/// InvalidArgument saying what is wrong, and every error carries its Woodpecker code in the "wp-error-code" trailer.
/// </summary>
public sealed class GatewayProtocolTests
{
    private const string Service = "/woodpecker.v1.LogService/";
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Errors_carry_status_and_code()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var channel = new GrpcChannel(gateway.Address);
        var options = new GrpcCallOptions(Bounded);

        var badName = await Assert.ThrowsAsync<GrpcStatusException>(
            () => channel.UnaryAsync(Service + "CreateLog", new CreateLogRequest { Name = "no spaces" }, LogInfo.Parser, options));
        AssertError(badName, GrpcStatusCode.InvalidArgument, WoodpeckerErrorCode.InvalidLogName);

        var missing = await Assert.ThrowsAsync<GrpcStatusException>(
            () => channel.UnaryAsync(Service + "GetLog", new GetLogRequest { Name = "missing" }, LogInfo.Parser, options));
        AssertError(missing, GrpcStatusCode.NotFound, WoodpeckerErrorCode.LogNotFound);
        Assert.Contains("missing", missing.Detail, StringComparison.Ordinal);

        await channel.UnaryAsync(Service + "CreateLog", new CreateLogRequest { Name = "twice" }, LogInfo.Parser, options);
        var twice = await Assert.ThrowsAsync<GrpcStatusException>(
            () => channel.UnaryAsync(Service + "CreateLog", new CreateLogRequest { Name = "twice" }, LogInfo.Parser, options));
        AssertError(twice, GrpcStatusCode.AlreadyExists, WoodpeckerErrorCode.LogAlreadyExists);

        var noUpTo = await Assert.ThrowsAsync<GrpcStatusException>(
            () => channel.UnaryAsync(Service + "Truncate", new TruncateRequest { LogName = "twice" }, TruncateResponse.Parser, options));
        AssertError(noUpTo, GrpcStatusCode.InvalidArgument, WoodpeckerErrorCode.InvalidArgument);
        Assert.Contains("up_to", noUpTo.Detail, StringComparison.Ordinal);

        await using var read = channel.ServerStreaming(Service + "Read", new ReadRequest { LogName = "twice" }, ReadResponse.Parser, options);
        var noStart = await Assert.ThrowsAsync<GrpcStatusException>(async () =>
        {
            await foreach (var _ in read.ReadAllAsync())
            {
            }
        });
        AssertError(noStart, GrpcStatusCode.InvalidArgument, WoodpeckerErrorCode.InvalidArgument);
        Assert.Contains("start", noStart.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_append_stream_must_open_the_writer_first_and_acknowledges_in_request_order()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var channel = new GrpcChannel(gateway.Address);
        await channel.UnaryAsync(Service + "CreateLog", new CreateLogRequest { Name = "raw" }, LogInfo.Parser, new GrpcCallOptions(Bounded));

        await using (var unopened = channel.Duplex<AppendRequest, AppendResponse>(Service + "Append", AppendResponse.Parser, new GrpcCallOptions(Bounded)))
        {
            await unopened.WriteAsync(new AppendRequest { Entries = Entries("x") });
            var refused = await Assert.ThrowsAsync<GrpcStatusException>(async () => await unopened.ReadAsync());
            AssertError(refused, GrpcStatusCode.InvalidArgument, WoodpeckerErrorCode.InvalidArgument);
            Assert.Contains("OpenWriter", refused.Detail, StringComparison.Ordinal);
        }

        await using (var missing = channel.Duplex<AppendRequest, AppendResponse>(Service + "Append", AppendResponse.Parser, new GrpcCallOptions(Bounded)))
        {
            await missing.WriteAsync(new AppendRequest { Open = new OpenWriter { LogName = "not-there" } });
            var refused = await Assert.ThrowsAsync<GrpcStatusException>(async () => await missing.ReadAsync());
            AssertError(refused, GrpcStatusCode.NotFound, WoodpeckerErrorCode.LogNotFound);
        }

        await using var call = channel.Duplex<AppendRequest, AppendResponse>(Service + "Append", AppendResponse.Parser, new GrpcCallOptions(Bounded));
        await call.WriteAsync(new AppendRequest { Open = new OpenWriter { LogName = "raw" } });
        var opened = await call.ReadAsync();
        Assert.Equal(AppendResponse.KindOneofCase.Opened, opened!.KindCase);
        Assert.True(opened.Opened.WriterEpoch > 0);

        // Several requests in flight before the first acknowledgement: answered one each, in order, positions increasing.
        for (var i = 0; i < 5; i++)
        {
            await call.WriteAsync(new AppendRequest { Entries = Entries($"{i}a", $"{i}b", $"{i}c") });
        }

        var positions = new List<(long Segment, long Entry)>();
        for (var i = 0; i < 5; i++)
        {
            var acknowledged = await call.ReadAsync();
            Assert.Equal(AppendResponse.KindOneofCase.Appended, acknowledged!.KindCase);
            Assert.Equal(3, acknowledged.Appended.Positions.Count);
            positions.AddRange(acknowledged.Appended.Positions.Select(p => (p.SegmentId, p.EntryId)));
        }

        Assert.Equal(positions.Order().ToList(), positions);
        Assert.Equal(15, positions.Distinct().Count());

        // An empty request is malformed; the requests before it stay appended.
        await call.WriteAsync(new AppendRequest { Entries = new AppendEntries() });
        var empty = await Assert.ThrowsAsync<GrpcStatusException>(async () => await call.ReadAsync());
        AssertError(empty, GrpcStatusCode.InvalidArgument, WoodpeckerErrorCode.InvalidArgument);

        // A reopen that expects an epoch other than the current one is fenced, and fences nobody.
        await using var stale = channel.Duplex<AppendRequest, AppendResponse>(Service + "Append", AppendResponse.Parser, new GrpcCallOptions(Bounded));
        await stale.WriteAsync(new AppendRequest { Open = new OpenWriter { LogName = "raw", ExpectedWriterEpoch = opened.Opened.WriterEpoch - 1 } });
        var fenced = await Assert.ThrowsAsync<GrpcStatusException>(async () => await stale.ReadAsync());
        AssertError(fenced, GrpcStatusCode.FailedPrecondition, WoodpeckerErrorCode.WriterFenced);
    }

    [Fact]
    public async Task A_gateway_that_is_not_serving_refuses_every_call_with_unavailable()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var channel = new GrpcChannel(gateway.Address);
        gateway.Serving = false;

        var refused = await Assert.ThrowsAsync<GrpcStatusException>(
            () => channel.UnaryAsync(Service + "ListLogs", new ListLogsRequest(), ListLogsResponse.Parser, new GrpcCallOptions(Bounded)));
        AssertError(refused, GrpcStatusCode.Unavailable, WoodpeckerErrorCode.Unavailable);
        Assert.Contains("reconnect to another silo", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_code_survives_the_round_trip_through_a_status()
    {
        var server = new Uri("http://127.0.0.1:1");
        foreach (var code in Enum.GetValues<WoodpeckerErrorCode>())
        {
            var original = WoodpeckerException.FromCode(code, $"message of {code}");
            var status = GrpcErrorMapping.ToStatus(original);
            Assert.Equal(GrpcErrorMapping.StatusOf(code), status.Status);
            Assert.Equal(((int)code).ToString(CultureInfo.InvariantCulture), status.Trailers[GrpcErrorMapping.ErrorCodeTrailer]);

            var back = GrpcErrorMapping.ToWoodpecker(status, server);
            Assert.Equal(code, back.ErrorCode);
            Assert.Equal(original.GetType(), back.GetType());
            Assert.Equal(original.Message, back.Message);
        }

        Assert.Equal(GrpcStatusCode.OutOfRange, GrpcErrorMapping.StatusOf(WoodpeckerErrorCode.PositionTruncated));
        Assert.Equal(GrpcStatusCode.DataLoss, GrpcErrorMapping.StatusOf(WoodpeckerErrorCode.StorageCorrupted));
        Assert.Equal(GrpcStatusCode.Internal, GrpcErrorMapping.StatusOf(WoodpeckerErrorCode.DataDirectoryInUse));

        // Without the trailer (a proxy, another implementation): the status alone, naming the silo.
        var unavailable = GrpcErrorMapping.ToWoodpecker(new GrpcStatusException(GrpcStatusCode.Unavailable, "connection refused"), server);
        Assert.IsType<ServiceUnavailableException>(unavailable);
        Assert.Contains("127.0.0.1:1", unavailable.Message, StringComparison.Ordinal);
        Assert.IsType<WoodpeckerTimeoutException>(GrpcErrorMapping.ToWoodpecker(new GrpcStatusException(GrpcStatusCode.DeadlineExceeded, "late"), server));
    }

    private static AppendEntries Entries(params string[] texts)
    {
        var entries = new AppendEntries();
        entries.Entries.AddRange(texts.Select(t => new Entry { Payload = Google.Protobuf.ByteString.CopyFromUtf8(t) }));
        return entries;
    }

    private static void AssertError(GrpcStatusException error, GrpcStatusCode status, WoodpeckerErrorCode code)
    {
        Assert.Equal(status, error.Status);
        Assert.Equal(((int)code).ToString(CultureInfo.InvariantCulture), error.Trailers[GrpcErrorMapping.ErrorCodeTrailer]);
    }
}
