using System.Diagnostics;
using System.Threading.Channels;
using Woodpecker.Client;
using Woodpecker.Silo.Embedded;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Storage.S3.Tests;

/// <summary>The log service on S3 storage (embedded silo, SQLite metadata in a temp directory) against a real s3rver.</summary>
public sealed class S3LogServiceTests : IClassFixture<S3rverFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly S3rverFixture _fixture;

    public S3LogServiceTests(S3rverFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Appended_entries_are_read_back_in_order_across_segments()
    {
        using var directory = new TestDirectory("wp-s3-service");
        await using var client = await StartAsync(directory.Path, NewOptions(), o => o.Log.SegmentRollEntries = 400);
        var log = await client.CreateLogAsync("many");
        const int Count = 1500;
        var positions = new List<LogPosition>();
        await using (var writer = await log.OpenWriterAsync())
        {
            // Waves of concurrent appends: a segment asks to roll when an append is acknowledged past the limit.
            for (var wave = 0; wave < Count; wave += 100)
            {
                positions.AddRange(await Task.WhenAll(Enumerable.Range(wave, 100).Select(i => writer.AppendAsync(TestBlocks.Payload(i)))).WaitAsync(Bound));
            }
        }

        for (var i = 1; i < Count; i++)
        {
            Assert.True(positions[i] > positions[i - 1], $"append {i} got {positions[i]}, not after {positions[i - 1]}");
        }

        Assert.True((await log.ListSegmentsAsync()).Count >= 3, "the log should have rolled over several segments");
        var messages = await ReadAllAsync(log);
        Assert.Equal(positions, messages.Select(m => m.Position));
        for (var i = 0; i < Count; i++)
        {
            Assert.True(TestBlocks.Payload(i).AsSpan().SequenceEqual(messages[i].Payload.Span), $"entry {i} ({positions[i]}): payload differs");
        }

        var requests = await log.GetStorageRequestsAsync();
        Assert.True(requests.Puts > 0 && requests.Gets > 0, $"completed segments are uploaded and read back from the store: {requests}");
    }

    [Fact]
    public async Task A_tail_reader_gets_new_entries_promptly_without_downloading_them()
    {
        using var directory = new TestDirectory("wp-s3-service");
        await using var client = await StartAsync(directory.Path, NewOptions());
        var log = await client.CreateLogAsync("tail");
        await using var writer = await log.OpenWriterAsync();
        await writer.AppendAsync(TestBlocks.Payload(0)).WaitAsync(Bound); // the segment is active now

        var received = Channel.CreateUnbounded<LogMessage>();
        using var stop = new CancellationTokenSource();
        await using var reader = await log.OpenReaderAsync(ReadStart.Latest);
        var following = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in reader.ReadAllAsync(stop.Token))
                {
                    await received.Writer.WriteAsync(message);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });

        var before = await log.GetStorageRequestsAsync();
        var slowest = TimeSpan.Zero;
        const int Count = 40;
        for (var i = 1; i <= Count; i++)
        {
            var at = await writer.AppendAsync(TestBlocks.Payload(i)).WaitAsync(Bound);
            var clock = Stopwatch.StartNew();
            var message = await received.Reader.ReadAsync().AsTask().WaitAsync(Bound);
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            Assert.Equal(at, message.Position);
            Assert.True(TestBlocks.Payload(i).AsSpan().SequenceEqual(message.Payload.Span), $"entry {i}: payload differs");
        }

        var after = await log.GetStorageRequestsAsync();
        await stop.CancelAsync();
        await following.WaitAsync(Bound);

        // Every entry was uploaded (one block per sequential append at least), none was downloaded: the segment
        // grain's buffer served the tail reader, waking it when the entries became durable.
        Assert.True(after.Puts - before.Puts >= Count, $"before: {before}; after: {after}");
        Assert.Equal(before.Gets, after.Gets);
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"the slowest entry reached the tail reader {slowest.TotalMilliseconds:0} ms after its acknowledgement");
    }

    [Fact]
    public async Task Truncation_and_collection_delete_the_objects_of_truncated_segments()
    {
        using var directory = new TestDirectory("wp-s3-service");
        var s3 = NewOptions();
        await using var client = await StartAsync(directory.Path, s3, o =>
        {
            o.Log.TruncationRetention = TimeSpan.Zero;
            o.Log.CollectionInterval = TimeSpan.FromHours(1); // collected below, when the test says so
        });
        var log = await client.CreateLogAsync("truncated");
        for (var segment = 0; segment < 3; segment++)
        {
            await using var writer = await log.OpenWriterAsync(); // each writer starts a segment
            await Task.WhenAll(Enumerable.Range(segment * 20, 20).Select(i => writer.AppendAsync(TestBlocks.Payload(i)))).WaitAsync(Bound);
        }

        var segments = await log.ListSegmentsAsync();
        Assert.Equal(3, segments.Count);
        var folders = segments.Select(s => BucketView.SegmentFolder(new Abstractions.SegmentAddress(log.LogId, s.SegmentId))).ToList();
        foreach (var folder in folders)
        {
            Assert.NotEmpty(await BucketView.ListAsync(s3, folder));
        }

        await log.TruncateAsync(new LogPosition(segments[1].SegmentId, segments[1].EntryCount - 1));
        await client.EmbeddedSilo!.Host.CollectGarbageAsync().WaitAsync(Bound);

        Assert.Empty(await BucketView.ListAsync(s3, folders[0]));
        Assert.Empty(await BucketView.ListAsync(s3, folders[1]));
        Assert.NotEmpty(await BucketView.ListAsync(s3, folders[2]));
        Assert.Equal([segments[2].SegmentId], (await log.ListSegmentsAsync()).Select(s => s.SegmentId));
        var rest = await ReadAllAsync(log);
        Assert.Equal(20, rest.Count);
        for (var i = 0; i < rest.Count; i++)
        {
            Assert.True(TestBlocks.Payload(40 + i).AsSpan().SequenceEqual(rest[i].Payload.Span), $"entry {rest[i].Position}: payload differs");
        }
    }

    [Fact]
    public async Task Deleting_a_log_deletes_every_one_of_its_objects()
    {
        using var directory = new TestDirectory("wp-s3-service");
        var s3 = NewOptions();
        await using var client = await StartAsync(directory.Path, s3, o => o.Log.CollectionInterval = TimeSpan.FromHours(1));
        var doomed = await client.CreateLogAsync("doomed");
        var kept = await client.CreateLogAsync("kept");
        foreach (var log in new[] { doomed, kept })
        {
            for (var segment = 0; segment < 2; segment++)
            {
                await using var writer = await log.OpenWriterAsync();
                await Task.WhenAll(Enumerable.Range(0, 10).Select(i => writer.AppendAsync(TestBlocks.Payload(i)))).WaitAsync(Bound);
            }
        }

        // One more append left in an active segment: deleting fences the writer and still leaves nothing behind.
        await using var active = await doomed.OpenWriterAsync();
        await active.AppendAsync(TestBlocks.Payload(10)).WaitAsync(Bound);

        Assert.NotEmpty(await BucketView.ListAsync(s3, BucketView.LogFolder(doomed.LogId)));
        var keptObjects = await BucketView.ListAsync(s3, BucketView.LogFolder(kept.LogId));
        Assert.NotEmpty(keptObjects);

        await client.DeleteLogAsync("doomed").WaitAsync(Bound);
        Assert.False(await client.LogExistsAsync("doomed"));
        Assert.Empty(await BucketView.ListAsync(s3, BucketView.LogFolder(doomed.LogId)));

        // Nothing comes back later (the collector finishes what deletion started), and the other log is untouched.
        await client.EmbeddedSilo!.Host.CollectGarbageAsync().WaitAsync(Bound);
        Assert.Empty(await BucketView.ListAsync(s3, BucketView.LogFolder(doomed.LogId)));
        var keptNow = await BucketView.ListAsync(s3, BucketView.LogFolder(kept.LogId));
        Assert.All(keptObjects, key => Assert.Contains(key, keptNow)); // compaction may add merged objects, never remove yet
        Assert.Equal(20, (await ReadAllAsync(kept)).Count);
    }

    [Fact]
    public async Task A_reopened_service_reads_every_acknowledged_entry()
    {
        using var directory = new TestDirectory("wp-s3-service");
        var s3 = NewOptions();
        var acknowledged = new List<LogPosition>();
        await using (var client = await StartAsync(directory.Path, s3, o => o.Log.SegmentRollEntries = 150))
        {
            var log = await client.CreateLogAsync("reopened");
            await using (var first = await log.OpenWriterAsync())
            {
                acknowledged.AddRange(await Task.WhenAll(Enumerable.Range(0, 200).Select(i => first.AppendAsync(TestBlocks.Payload(i)))).WaitAsync(Bound));
            }

            // The second writer is still open when the service stops: its acknowledged entries must survive too.
            var second = await log.OpenWriterAsync();
            acknowledged.AddRange(await Task.WhenAll(Enumerable.Range(200, 200).Select(i => second.AppendAsync(TestBlocks.Payload(i)))).WaitAsync(Bound));
        }

        await using (var client = await StartAsync(directory.Path, s3))
        {
            var log = await client.OpenLogAsync("reopened");
            var messages = await ReadAllAsync(log);
            Assert.Equal(acknowledged, messages.Select(m => m.Position));
            for (var i = 0; i < messages.Count; i++)
            {
                Assert.True(TestBlocks.Payload(i).AsSpan().SequenceEqual(messages[i].Payload.Span), $"entry {i} ({messages[i].Position}): payload differs");
            }

            await using (var writer = await log.OpenWriterAsync())
            {
                acknowledged.Add(await writer.AppendAsync(TestBlocks.Payload(400)).WaitAsync(Bound));
            }

            Assert.Equal(acknowledged, (await ReadAllAsync(log)).Select(m => m.Position));
        }

        // Segments lived in the object store only: the data directory holds metadata, not segment files.
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "segments")));
    }

    private S3StorageOptions NewOptions()
    {
        var options = _fixture.NewOptions();
        options.MaxFlushDelay = TimeSpan.FromMilliseconds(5); // sequential appends need not wait 200 ms each
        return options;
    }

    private static Task<WoodpeckerClient> StartAsync(string dataDirectory, S3StorageOptions s3, Action<EmbeddedSiloOptions>? configure = null)
    {
        var options = new EmbeddedSiloOptions { DataDirectory = dataDirectory, S3 = s3.Clone() };
        configure?.Invoke(options);
        return WoodpeckerClient.CreateEmbeddedAsync(options).WaitAsync(Bound);
    }

    private static async Task<List<LogMessage>> ReadAllAsync(LogHandle log)
    {
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
        var messages = new List<LogMessage>();
        using var timeout = new CancellationTokenSource(Bound);
        await foreach (var message in reader.ReadAllAsync(timeout.Token))
        {
            messages.Add(message);
        }

        return messages;
    }
}
