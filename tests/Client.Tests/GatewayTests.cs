using System.Text;
using Woodpecker.Errors;
using Xunit;

namespace Woodpecker.Client.Tests;

/// <summary>The client API over real gRPC: a cluster client talking to a one-silo gateway in the test process.</summary>
public sealed class GatewayTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Create_get_list_and_delete_over_grpc()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync();
        Assert.Null(client.EmbeddedSilo);

        Assert.False(await client.LogExistsAsync("orders"));
        var created = await client.CreateLogAsync("orders");
        await client.CreateLogAsync("orders-eu");
        await client.CreateLogAsync("payments");
        Assert.True(await client.LogExistsAsync("orders"));
        var opened = await client.OpenLogAsync("orders");
        Assert.Equal(created.LogId, opened.LogId);
        Assert.Equal("orders", (await opened.GetInfoAsync()).Name);

        var names = new List<string>();
        await foreach (var log in client.ListLogsAsync("orders"))
        {
            names.Add(log.Name);
        }

        Assert.Equal(["orders", "orders-eu"], names);

        await client.DeleteLogAsync("orders");
        Assert.False(await client.LogExistsAsync("orders"));
        await Assert.ThrowsAsync<LogNotFoundException>(() => client.OpenLogAsync("orders"));
        await Assert.ThrowsAsync<LogNotFoundException>(() => client.DeleteLogAsync("orders"));
    }

    [Fact]
    public async Task Errors_come_back_typed()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync();
        var log = await client.CreateLogAsync("typed");

        await Assert.ThrowsAsync<LogAlreadyExistsException>(() => client.CreateLogAsync("typed"));
        await Assert.ThrowsAsync<LogNotFoundException>(() => client.OpenLogAsync("missing"));
        await Assert.ThrowsAsync<InvalidLogNameException>(() => client.CreateLogAsync("no spaces allowed"));

        var gone = await client.CreateLogAsync("gone");
        await client.DeleteLogAsync("gone");
        var notFound = await Assert.ThrowsAsync<LogNotFoundException>(() => gone.OpenReaderAsync(ReadStart.Earliest));
        Assert.Contains("gone", notFound.Message, StringComparison.Ordinal);

        // A position past the end of the log: the silo's own error, with its code, through the Read stream.
        await using var writer = await log.OpenWriterAsync();
        await writer.AppendAsync(Clients.Bytes("one"));
        await writer.FlushAsync();
        var error = await Assert.ThrowsAnyAsync<WoodpeckerException>(async () =>
        {
            await using var reader = await log.OpenReaderAsync(ReadStart.At(new LogPosition(999, 0)), new LogReaderOptions { Follow = false });
            await foreach (var _ in reader.ReadAllAsync())
            {
            }
        });
        Assert.Equal(WoodpeckerErrorCode.PositionNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task Appends_are_read_back_in_order_with_properties()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync();
        var log = await client.CreateLogAsync("ordered");

        List<LogPosition> positions;
        await using (var writer = await log.OpenWriterAsync())
        {
            // Many appends in flight at once: the channel coalesces them into requests, acknowledged in order.
            var appends = Enumerable.Range(0, 2_000)
                .Select(i => writer.AppendAsync(Clients.Bytes($"e{i}"), new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
                .ToList();
            positions = [.. await Task.WhenAll(appends).WaitAsync(Bounded)];
            await writer.CloseAsync();
        }

        Assert.Equal(positions.OrderBy(p => p).ToList(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());

        var read = await Clients.ReadAll(log).WaitAsync(Bounded);
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => $"e{i}"), read.Select(Clients.Text));
        Assert.Equal(positions, read.Select(m => m.Position));
        Assert.Equal("1999", read[^1].Properties["i"]);
        Assert.Equal(positions[^1], await log.GetLastPositionAsync());
        Assert.NotEmpty(await log.ListSegmentsAsync());
        Assert.Equal(0, (await log.GetStorageRequestsAsync()).Puts);
    }

    [Fact]
    public async Task A_following_reader_sees_new_entries_as_they_are_written()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync();
        var log = await client.CreateLogAsync("tail");
        await using var writer = await log.OpenWriterAsync();
        await using var reader = await log.OpenReaderAsync(ReadStart.Latest, new LogReaderOptions { Follow = true });
        using var timeout = new CancellationTokenSource(Bounded);

        var seen = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var message in reader.ReadAllAsync(timeout.Token))
            {
                seen.Add(Clients.Text(message));
                if (seen.Count == 3)
                {
                    return;
                }
            }
        });

        foreach (var text in new[] { "a", "b", "c" })
        {
            await writer.AppendAsync(Clients.Bytes(text));
            await Task.Delay(50);
        }

        await reading.WaitAsync(Bounded);
        Assert.Equal(["a", "b", "c"], seen);
    }

    [Fact]
    public async Task Truncate_over_grpc()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync();
        var log = await client.CreateLogAsync("trunc");
        var positions = new List<LogPosition>();
        await using (var writer = await log.OpenWriterAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                positions.Add(await writer.AppendAsync(Clients.Bytes($"t{i}")));
            }
        }

        var truncated = await log.TruncateAsync(positions[1]);
        Assert.Equal(positions[1], truncated);
        Assert.Equal(positions[1], await log.GetTruncationPointAsync());
        Assert.Equal(["t2", "t3", "t4"], (await Clients.ReadAll(log)).Select(Clients.Text));
    }

    [Fact]
    public async Task A_fenced_writer_fails_typed()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync();
        var log = await client.CreateLogAsync("fence");
        await using var first = await log.OpenWriterAsync();
        await first.AppendAsync(Clients.Bytes("first"));

        await using var second = await log.OpenWriterAsync();
        Assert.True(second.Epoch > first.Epoch);
        await second.AppendAsync(Clients.Bytes("second"));

        await Assert.ThrowsAsync<WriterFencedException>(() => first.AppendAsync(Clients.Bytes("late")).WaitAsync(Bounded));
        Assert.Equal(["first", "second"], (await Clients.ReadAll(log)).Select(Clients.Text));
    }

    [Fact]
    public async Task A_silo_that_stops_serving_acknowledges_nothing_and_the_writer_reconnects_after()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync(o => o.MaxAttempts = 2);
        var log = await client.CreateLogAsync("lease");
        await using var writer = await log.OpenWriterAsync();
        var kept = await writer.AppendAsync(Clients.Bytes("kept"));
        var epoch = writer.Epoch;

        gateway.Serving = false;
        var lost = await Assert.ThrowsAsync<ServiceUnavailableException>(() => writer.AppendAsync(Clients.Bytes("unknown")).WaitAsync(Bounded));
        Assert.Contains("unknown", lost.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => log.GetLastPositionAsync().WaitAsync(Bounded));

        // Serving again: the next append reopens the writer, requiring the epoch it had (so it fences no one new).
        gateway.Serving = true;
        var after = await writer.AppendAsync(Clients.Bytes("after")).WaitAsync(Bounded);
        Assert.True(after > kept);
        Assert.True(writer.Epoch > epoch);
        var texts = (await Clients.ReadAll(log)).Select(Clients.Text).ToList();
        Assert.Equal("kept", texts[0]);
        Assert.Equal("after", texts[^1]);
        Assert.DoesNotContain("unknown", texts); // the silo refused it before appending; never re-sent
    }

    [Fact]
    public async Task A_writer_reconnecting_after_a_lost_silo_never_fences_a_newer_writer()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync(o => o.MaxAttempts = 2);
        var log = await client.CreateLogAsync("no-fence-back");
        await using var old = await log.OpenWriterAsync();
        await old.AppendAsync(Clients.Bytes("old"));

        gateway.Serving = false;
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => old.AppendAsync(Clients.Bytes("lost")).WaitAsync(Bounded));
        gateway.Serving = true;

        await using var newer = await log.OpenWriterAsync();
        await newer.AppendAsync(Clients.Bytes("newer"));

        await Assert.ThrowsAsync<WriterFencedException>(() => old.AppendAsync(Clients.Bytes("stale")).WaitAsync(Bounded));
        await newer.AppendAsync(Clients.Bytes("still-newer")).WaitAsync(Bounded);
        Assert.Equal(["old", "newer", "still-newer"], (await Clients.ReadAll(log)).Select(Clients.Text));
    }

    [Fact]
    public async Task A_reader_resumes_after_its_silo_stops_serving_without_repeating_or_skipping()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var client = await gateway.ConnectAsync(o => o.MaxAttempts = 20);
        var log = await client.CreateLogAsync("resume");
        await using var writer = await log.OpenWriterAsync();
        for (var i = 0; i < 5; i++)
        {
            await writer.AppendAsync(Clients.Bytes($"r{i}"));
        }

        await writer.CloseAsync();
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = true });
        using var timeout = new CancellationTokenSource(Bounded);
        var seen = new List<string>();
        var firstFive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            await foreach (var message in reader.ReadAllAsync(timeout.Token))
            {
                seen.Add(Clients.Text(message));
                if (seen.Count == 5)
                {
                    firstFive.TrySetResult();
                }

                if (seen.Count == 10)
                {
                    return;
                }
            }
        });
        await firstFive.Task.WaitAsync(Bounded);

        // The stream fails Unavailable on its next batch; the reader retries until the silo serves again.
        gateway.Serving = false;
        await using (var direct = await gateway.Silo.Service.OpenWriterAsync("resume"))
        {
            for (var i = 5; i < 10; i++)
            {
                await direct.AppendAsync(Encoding.UTF8.GetBytes($"r{i}"), null);
            }
        }

        await Task.Delay(300);
        gateway.Serving = true;
        await reading.WaitAsync(Bounded);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"r{i}"), seen);
    }

    [Fact]
    public async Task Connecting_to_nothing_fails_with_a_message_naming_the_gateway()
    {
        var port = Woodpecker.TestingHost.FreePorts.Next();
        var options = new ClusterClientOptions { Gateways = [$"http://127.0.0.1:{port}"], CallTimeout = TimeSpan.FromSeconds(5) };
        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() => WoodpeckerClient.ConnectAsync(options).WaitAsync(Bounded));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => new ClusterClientOptions().Validate());
        Assert.Throws<ArgumentException>(() => new ClusterClientOptions { Gateways = ["silo1:7400"] }.Validate());
    }
}
