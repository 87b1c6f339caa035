using System.Diagnostics;
using System.Text;
using Woodpecker.Client;
using Woodpecker.Errors;
using Woodpecker.Grains;
using Woodpecker.Silo.Embedded;
using Woodpecker.TestingHost;
using Xunit;
using Xunit.Abstractions;

namespace Woodpecker.Storage.S3.Tests;

/// <summary>
/// The log service on S3 with a fault-injecting proxy between it and a real s3rver: throttling, server errors,
/// dropped connections, slow answers, truncated downloads and a store that stops answering. Acknowledged entries
/// must survive every one of them, in order and exactly once, and what cannot be done must fail with a clear error.
/// </summary>
public sealed class S3FaultTests(S3rverFixture fixture, ITestOutputHelper output) : IClassFixture<S3rverFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private FaultProxy? _proxy;

    private FaultProxy Proxy => _proxy ?? throw new InvalidOperationException("The proxy was not started.");

    public async Task InitializeAsync() => _proxy = await FaultProxy.StartAsync(fixture.Server.Endpoint);

    public async Task DisposeAsync()
    {
        if (_proxy is { } proxy)
        {
            output.WriteLine($"proxy: {proxy.RequestCount} requests, {proxy.FaultCount} faults (" +
                             string.Join(", ", Enum.GetValues<ProxyFaultKind>().Select(k => $"{k} {proxy.FaultCountOf(k)}")) + ")");
            await proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task Bursts_of_SlowDown_on_uploads_are_retried_and_every_entry_reads_back_once_in_order()
    {
        var proxy = Proxy;
        using var directory = new TestDirectory("wp-s3fault");
        var s3 = Options(proxy);
        var expected = new List<string>();

        await using (var client = await StartAsync(directory, s3))
        {
            var log = await client.CreateLogAsync("slowdown");
            await using var writer = await log.OpenWriterAsync();
            for (var round = 0; round < 5; round++)
            {
                // Fewer in a row than MaxAttempts: every upload must get through, however the burst is shared out.
                proxy.Inject(ProxyFault.SlowDown(count: s3.MaxAttempts - 1, method: "PUT"));
                await AppendBatchAsync(writer, expected, 30);
            }

            await writer.CloseAsync().WaitAsync(Bound);
            Assert.Equal(5 * (s3.MaxAttempts - 1), proxy.FaultCountOf(ProxyFaultKind.SlowDown));
            var requests = await log.GetStorageRequestsAsync();
            Assert.True(requests.Puts > proxy.FaultCount, $"{requests.Puts} PUTs counted, {proxy.FaultCount} of them refused: the retries were not counted");
        }

        await AssertStoredAsync(directory, s3, "slowdown", expected);
    }

    [Fact]
    public async Task Server_errors_and_dropped_connections_are_retried_and_every_entry_reads_back_once_in_order()
    {
        var proxy = Proxy;
        using var directory = new TestDirectory("wp-s3fault");
        var s3 = Options(proxy);
        var expected = new List<string>();

        await using (var client = await StartAsync(directory, s3))
        {
            var log = await client.CreateLogAsync("errors");
            await using var writer = await log.OpenWriterAsync();
            for (var round = 0; round < 4; round++)
            {
                // Per round at most MaxAttempts - 1 failures can hit one request of a kind.
                proxy.Inject(ProxyFault.InternalError(count: 2, method: "PUT"));
                proxy.Inject(ProxyFault.Drop(count: 1, method: "PUT"));

                // The store keeps the object, the writer never hears: the retry uploads it again.
                proxy.Inject(ProxyFault.Drop(count: 2, method: "PUT", forwardFirst: true));
                proxy.Inject(ProxyFault.Drop(count: 2, method: "HEAD"));
                proxy.Inject(ProxyFault.InternalError(count: 2, method: "HEAD"));
                await AppendBatchAsync(writer, expected, 30);
            }

            await writer.CloseAsync().WaitAsync(Bound);
            Assert.True(proxy.FaultCountOf(ProxyFaultKind.InternalError) >= 8, $"only {proxy.FaultCountOf(ProxyFaultKind.InternalError)} 500s injected");
            Assert.True(proxy.FaultCountOf(ProxyFaultKind.Drop) >= 12, $"only {proxy.FaultCountOf(ProxyFaultKind.Drop)} connections dropped");
        }

        // Reads too: GETs and listings fail now and then while everything is read back from the store.
        proxy.Inject(ProxyFault.InternalError(count: 2, method: "GET") with { Every = 2 });
        proxy.Inject(ProxyFault.Drop(count: 2, method: "GET") with { Every = 3 });
        await AssertStoredAsync(directory, s3, "errors", expected);
        Assert.True(proxy.FaultCount >= 22, $"only {proxy.FaultCount} faults injected");
    }

    [Fact]
    public async Task Answers_slower_than_the_request_timeout_are_retried_and_every_entry_is_intact()
    {
        var proxy = Proxy;
        using var directory = new TestDirectory("wp-s3fault");
        var s3 = Options(proxy);
        s3.RequestTimeout = TimeSpan.FromMilliseconds(500);
        // Far longer than the test waits: only giving up on the attempt and retrying gets the append through.
        var slow = TimeSpan.FromSeconds(60);
        var expected = new List<string>();

        await using (var client = await StartAsync(directory, s3))
        {
            var log = await client.CreateLogAsync("slow");
            await using var writer = await log.OpenWriterAsync();
            using var heal = new ClearFaultsOnExit(proxy); // if the test fails, before the writer and the service stop
            for (var round = 0; round < 3; round++)
            {
                proxy.Inject(ProxyFault.Slow(slow, count: 2, method: "PUT") with { Every = 2 });
                proxy.Inject(ProxyFault.Slow(slow, count: 1, method: "HEAD"));
                await AppendBatchAsync(writer, expected, 30);
            }

            await writer.CloseAsync().WaitAsync(Bound);
        }

        proxy.Inject(ProxyFault.Slow(slow, count: 2, method: "GET") with { Every = 2 });
        await AssertStoredAsync(directory, s3, "slow", expected);
        Assert.InRange(proxy.FaultCountOf(ProxyFaultKind.Delay), 8, 11);
    }

    [Fact]
    public async Task Truncated_downloads_of_completed_segments_are_fetched_again_and_never_return_wrong_data()
    {
        var proxy = Proxy;
        using var directory = new TestDirectory("wp-s3fault");
        var s3 = Options(proxy);
        var expected = new List<string>();
        long logId;
        long firstSegmentEntries;
        await using (var client = await StartAsync(directory, s3))
        {
            var log = await client.CreateLogAsync("truncated");
            logId = log.LogId;
            await using var writer = await log.OpenWriterAsync();
            for (var round = 0; round < 4; round++)
            {
                await AppendBatchAsync(writer, expected, 40);
            }

            await writer.CloseAsync().WaitAsync(Bound);
            var segments = await log.ListSegmentsAsync();
            Assert.True(segments.Count >= 2, $"the log should span several segments, not {segments.Count}");
            Assert.All(segments, s => Assert.NotEqual(SegmentState.Active, s.State));
            firstSegmentEntries = segments[0].EntryCount;
        }

        // Now every read comes from the store: every other download is cut in half, and each is fetched again.
        // (Objects only: the listing at start is a GET too.)
        proxy.Inject(new ProxyFault { Kind = ProxyFaultKind.Truncate, Method = "GET", PathContains = $"/{s3.KeyPrefix}/", Every = 2, Count = 12 });
        await AssertStoredAsync(directory, s3, "truncated", expected);
        Assert.InRange(proxy.FaultCountOf(ProxyFaultKind.Truncate), 6, 12);

        // When every download of the second segment is cut short, reading fails there with a clear error, after
        // returning exactly the first segment.
        var before = proxy.FaultCountOf(ProxyFaultKind.Truncate);
        proxy.Inject(ProxyFault.Truncate(method: "GET") with { PathContains = FormattableString.Invariant($"/logs/{logId:D12}/{1:D12}/") });
        await using (var client = await StartAsync(directory, s3))
        {
            var log = await client.OpenLogAsync("truncated");
            var read = new List<string>();
            using var timeout = new CancellationTokenSource(Bound);
            var error = await Assert.ThrowsAsync<StorageUnavailableException>(async () =>
            {
                await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
                await foreach (var message in reader.ReadAllAsync(timeout.Token))
                {
                    read.Add(Encoding.UTF8.GetString(message.Payload.Span));
                }
            });
            output.WriteLine($"read {read.Count} entries, then: {error.Message}");
            Assert.True(proxy.FaultCountOf(ProxyFaultKind.Truncate) - before >= s3.MaxAttempts, "the download was not retried");
            Assert.Contains($"failed downloading '{s3.KeyPrefix}/logs/", error.Message, StringComparison.Ordinal);
            Assert.Contains($"{s3.MaxAttempts} times", error.Message, StringComparison.Ordinal);
            Assert.Equal(expected.Take((int)firstSegmentEntries), read);
        }
    }

    [Fact]
    public async Task A_store_that_stops_answering_fails_pending_appends_clearly_and_loses_nothing_acknowledged()
    {
        var proxy = Proxy;
        using var directory = new TestDirectory("wp-s3fault");
        var s3 = Options(proxy);
        s3.RequestTimeout = TimeSpan.FromMilliseconds(400);
        s3.MaxAttempts = 3;
        var acknowledged = new List<string>();
        var failed = new List<string>();
        var resumed = new List<string>();

        await using (var client = await StartAsync(directory, s3))
        {
            using var heal = new ClearFaultsOnExit(proxy); // if the test fails, before the service stops
            var log = await client.CreateLogAsync("blackhole");
            var writer = await log.OpenWriterAsync();
            await AppendBatchAsync(writer, acknowledged, 25);

            proxy.Inject(ProxyFault.Blackhole());
            var pending = Enumerable.Range(0, 30).Select(i =>
            {
                var text = Payload(acknowledged.Count + i);
                failed.Add(text);
                return writer.AppendAsync(Encoding.UTF8.GetBytes(text));
            }).ToList();

            var clock = Stopwatch.StartNew();
            var first = await Assert.ThrowsAsync<StorageUnavailableException>(() => pending[0].WaitAsync(Bound));
            Assert.True(proxy.FaultCountOf(ProxyFaultKind.Blackhole) >= s3.MaxAttempts, "the upload was not retried");
            Assert.Contains(proxy.Endpoint, first.Message, StringComparison.Ordinal); // which store
            Assert.Contains($"{s3.MaxAttempts} times", first.Message, StringComparison.Ordinal); // retries exhausted
            Assert.Contains("Check that it is reachable", first.Message, StringComparison.Ordinal); // what to do
            Assert.True(first.IsTransient);
            foreach (var later in pending.Skip(1))
            {
                var error = await Assert.ThrowsAnyAsync<WoodpeckerException>(() => later.WaitAsync(Bound));
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }

            Assert.True(clock.Elapsed < Bound, $"failing took {clock.Elapsed}");
            await Assert.ThrowsAnyAsync<WoodpeckerException>(() => writer.AppendAsync("after the failure"u8.ToArray()).WaitAsync(Bound));
            await writer.DisposeAsync().AsTask().WaitAsync(Bound);

            // The store is back: a new writer recovers the broken segment and continues after everything acknowledged.
            proxy.Clear();
            await using var next = await log.OpenWriterAsync().WaitAsync(Bound);
            await AppendBatchAsync(next, resumed, 20, start: 1000);
            await next.CloseAsync().WaitAsync(Bound);
            AssertRecovered(acknowledged, failed, resumed, await ReadTextsAsync(log));
        }

        var stored = await ReadStoredAsync(directory, s3, "blackhole");
        AssertRecovered(acknowledged, failed, resumed, stored);
    }

    [Fact]
    public async Task After_close_a_reader_sees_every_acknowledged_entry_while_a_rolled_segment_is_still_being_completed()
    {
        var proxy = Proxy;
        using var directory = new TestDirectory("wp-s3fault");
        var s3 = Options(proxy);
        s3.RequestTimeout = TimeSpan.FromSeconds(10);
        var expected = new List<string>();

        await using var client = await StartAsync(directory, s3);
        var log = await client.CreateLogAsync("rolled");
        await using var writer = await log.OpenWriterAsync();
        await AppendBatchAsync(writer, expected, 60); // segment 0 (rolls at 50 entries)

        // The fence that starts ending segment 0 after the roll is slow to store (slow, not failed: no retry).
        proxy.Inject(new ProxyFault { Kind = ProxyFaultKind.Delay, Method = "PUT", PathContains = "/fence", Count = 1, Delay = TimeSpan.FromSeconds(3) });
        await AppendBatchAsync(writer, expected, 30); // segment 1, acknowledged
        await writer.CloseAsync().WaitAsync(Bound);

        // Every entry is acknowledged and the writer closed: a reader that stops at the end of the log must see all
        // of them, not stop at segment 0 while it is being completed.
        var last = await log.GetLastPositionAsync();
        var read = await ReadTextsAsync(log);
        output.WriteLine($"last position {last}, read {read.Count} of {expected.Count}; segments: " +
                         string.Join("; ", (await log.ListSegmentsAsync()).Select(x => $"{x.SegmentId} {x.State} {x.EntryCount}")));
        Assert.Equal(1, proxy.FaultCountOf(ProxyFaultKind.Delay));
        Assert.Equal(expected, read);
    }

    /// <summary>Removes the proxy's faults when disposed, so that a failed test does not leave the service hanging.</summary>
    private sealed class ClearFaultsOnExit(FaultProxy proxy) : IDisposable
    {
        public void Dispose() => proxy.Clear();
    }

    /// <summary>Acknowledged entries first, exactly; then at most some of the failed ones, in order; then the new ones.</summary>
    private static void AssertRecovered(List<string> acknowledged, List<string> failed, List<string> resumed, List<string> read)
    {
        Assert.True(read.Count >= acknowledged.Count + resumed.Count, $"read {read.Count} entries");
        Assert.Equal(acknowledged, read.Take(acknowledged.Count));
        Assert.Equal(resumed, read.Skip(read.Count - resumed.Count));
        var between = read.Skip(acknowledged.Count).Take(read.Count - acknowledged.Count - resumed.Count).ToList();
        var at = 0;
        foreach (var text in between)
        {
            while (at < failed.Count && failed[at] != text)
            {
                at++;
            }

            Assert.True(at < failed.Count, $"'{text}' between the acknowledged and the new entries was never appended there, or is out of order");
            at++;
        }
    }

    private S3StorageOptions Options(FaultProxy proxy)
    {
        var options = fixture.NewOptions(proxy.Endpoint);
        options.RequestTimeout = TimeSpan.FromSeconds(2);
        options.MaxAttempts = 6;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
        options.MaxFlushDelay = TimeSpan.FromMilliseconds(5);
        options.MaxBlockBytes = 4096;
        options.ReadRangeBytes = 64 * 1024;
        return options;
    }

    private static Task<WoodpeckerClient> StartAsync(TestDirectory directory, S3StorageOptions s3) =>
        WoodpeckerClient.CreateEmbeddedAsync(new EmbeddedSiloOptions
        {
            DataDirectory = directory.Path,
            S3 = s3,
            Log = new LogServiceOptions { SegmentRollEntries = 50 },
        }).WaitAsync(Bound);

    private static string Payload(int i) => $"entry {i:D5} " + new string((char)('a' + i % 26), 150 + i % 100);

    /// <summary>Appends <paramref name="count"/> entries at once and checks that they are acknowledged in order.</summary>
    private static async Task AppendBatchAsync(LogWriter writer, List<string> appended, int count, int? start = null)
    {
        var first = start is { } s ? s + appended.Count : appended.Count;
        var texts = Enumerable.Range(first, count).Select(Payload).ToList();
        var positions = await Task.WhenAll(texts.Select(t => writer.AppendAsync(Encoding.UTF8.GetBytes(t)))).WaitAsync(Bound);
        for (var i = 1; i < positions.Length; i++)
        {
            Assert.True(positions[i] > positions[i - 1], $"append {i} at {positions[i]} is not after {positions[i - 1]}");
        }

        appended.AddRange(texts);
    }

    private static async Task<List<string>> ReadTextsAsync(LogHandle log)
    {
        using var timeout = new CancellationTokenSource(Bound);
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false }, timeout.Token);
        var texts = new List<string>();
        LogPosition? previous = null;
        await foreach (var message in reader.ReadAllAsync(timeout.Token))
        {
            Assert.True(previous is null || message.Position > previous, $"{message.Position} read after {previous}");
            previous = message.Position;
            texts.Add(Encoding.UTF8.GetString(message.Payload.Span));
        }

        return texts;
    }

    /// <summary>Reads the log with a fresh service: nothing is cached, every entry comes from the store.</summary>
    private static async Task<List<string>> ReadStoredAsync(TestDirectory directory, S3StorageOptions s3, string name)
    {
        await using var client = await StartAsync(directory, s3);
        return await ReadTextsAsync(await client.OpenLogAsync(name));
    }

    private static async Task AssertStoredAsync(TestDirectory directory, S3StorageOptions s3, string name, List<string> expected) =>
        Assert.Equal(expected, await ReadStoredAsync(directory, s3, name));
}
