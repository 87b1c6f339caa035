using System.Collections.Concurrent;
using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Storage.S3.Tests;

/// <summary>The S3 backend on its own, against a real s3rver (which has no conditional writes).</summary>
public sealed class S3SegmentStorageTests : IClassFixture<S3rverFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly S3rverFixture _fixture;

    public S3SegmentStorageTests(S3rverFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Completed_segment_is_read_back_in_order_through_its_footer()
    {
        // Small ranges, so reads span several ranged GETs and blocks straddle range boundaries.
        var (storage, options) = await StartAsync(o =>
        {
            o.ReadRangeBytes = 64 * 1024;
            o.ReadAhead = 2;
        });
        await using var _ = storage;
        var segment = new SegmentAddress(7, 3);
        int[] sizes = [1, 5, 3, 10, 2, 7, 1, 4, 8, 6, 30, 12];
        var expectedIndex = new List<BlockIndexEntry>();
        await using var writer = await storage.CreateWriterAsync(segment, 4, default);
        long next = 0;
        foreach (var size in sizes)
        {
            var block = TestBlocks.Block(3, next, size, 4);
            expectedIndex.Add(new BlockIndexEntry(writer.BytesWritten, next, size, block.Length));
            await writer.WriteBlockAsync(block, default);
            next += size;
        }

        // A block that does not continue the segment is refused, and changes nothing.
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteBlockAsync(TestBlocks.Block(3, next + 1, 2, 4), default));

        var footer = await writer.CompleteAsync(default);
        Assert.Equal(next, footer.EntryCount);
        Assert.Equal(writer.BytesWritten, footer.DataLength);
        Assert.Equal(expectedIndex, footer.Blocks);
        var stored = await storage.TryReadFooterAsync(segment, default);
        Assert.NotNull(stored);
        Assert.Equal(footer.Blocks, stored.Blocks);
        Assert.Equal(footer.EntryCount, stored.EntryCount);

        // The documented layout: one object per block, then the fence and the footer.
        var keys = await BucketView.ListAsync(options, BucketView.SegmentFolder(segment));
        Assert.Equal(sizes.Length, keys.Count(k => k.Contains("/blocks/", StringComparison.Ordinal) && k.EndsWith(".blk", StringComparison.Ordinal)));
        Assert.Contains(BucketView.SegmentFolder(segment) + "footer", keys);
        Assert.Contains(BucketView.SegmentFolder(segment) + "fence", keys);
        Assert.Equal(sizes.Length + 2, keys.Count);

        await using var reader = await storage.OpenReaderAsync(segment, default);
        var all = new List<StoredEntry>();
        Assert.Equal((int)next, await reader.ReadAsync(0, next, int.MaxValue, all, default));
        TestBlocks.AssertEntries(0, next, all);
        TestBlocks.AssertEntries(0, next, await TestBlocks.ReadRangeAsync(reader, 0, next, 3000));
        Assert.Equal(0, await reader.ReadAsync(next, next, int.MaxValue, [], default));

        // Random access: every range exactly, whatever the previous read was.
        var random = new Random(12345);
        for (var i = 0; i < 40; i++)
        {
            var from = random.NextInt64(0, next);
            var to = random.NextInt64(from + 1, next + 1);
            var output = await TestBlocks.ReadRangeAsync(reader, from, to, random.Next(2) == 0 ? 1 : int.MaxValue);
            TestBlocks.AssertEntries(from, to - from, output);
        }
    }

    [Fact]
    public async Task A_reader_of_an_active_segment_sees_only_durable_blocks()
    {
        // Conditional writes off, so the test can plant a torn object under the name of a block not yet written.
        var (storage, options) = await StartAsync(o => o.ConditionalWrites = S3ConditionalWrites.Disabled);
        await using var _ = storage;
        var segment = new SegmentAddress(8, 0);
        await using var writer = await storage.CreateWriterAsync(segment, 1, default);
        await using var reader = await storage.OpenReaderAsync(segment, default);
        Assert.Equal(0, await reader.ReadAsync(0, 0, int.MaxValue, [], default)); // nothing durable yet

        await writer.WriteBlockAsync(TestBlocks.Block(0, 0, 4, 1), default);
        await writer.WriteBlockAsync(TestBlocks.Block(0, 4, 6, 1), default);
        TestBlocks.AssertEntries(0, 10, await TestBlocks.ReadRangeAsync(reader, 0, 10, int.MaxValue));

        // Written but not yet reported durable to the reader's caller: a read up to the durable end stops there.
        await writer.WriteBlockAsync(TestBlocks.Block(0, 10, 3, 1), default);
        var bounded = new List<StoredEntry>();
        Assert.Equal(10, await reader.ReadAsync(0, 10, int.MaxValue, bounded, default));
        TestBlocks.AssertEntries(0, 10, bounded);

        // The same reader follows the segment as it grows (it lists again when asked for entries it has not seen).
        TestBlocks.AssertEntries(10, 3, await TestBlocks.ReadRangeAsync(reader, 10, 13, int.MaxValue));

        // An upload still streaming in (s3rver lists an object while its body arrives) is not data: the reader
        // refuses the range rather than return a torn block.
        var next = TestBlocks.Block(0, 13, 5, 1);
        var key = BucketView.SegmentFolder(segment) + S3Keys.BlockName(13, 5, next.Length, 1);
        await BucketView.PutAsync(options, key, next[..(next.Length / 2)]);
        await Assert.ThrowsAsync<StorageCorruptedException>(() => reader.ReadAsync(13, 18, int.MaxValue, [], default));

        // Once the upload is whole (the writer's PUT replaces it), the same reader returns it.
        await writer.WriteBlockAsync(next, default);
        TestBlocks.AssertEntries(13, 5, await TestBlocks.ReadRangeAsync(reader, 13, 18, int.MaxValue));
        TestBlocks.AssertEntries(0, 18, await TestBlocks.ReadRangeAsync(reader, 0, 18, 1));
    }

    [Fact]
    public async Task Recovery_of_a_segment_whose_writer_vanished_finds_exactly_the_stored_blocks()
    {
        var (storage, options) = await StartAsync(o => o.ConditionalWrites = S3ConditionalWrites.Disabled);
        await using var _ = storage;
        var segment = new SegmentAddress(9, 2);
        var vanished = await storage.CreateWriterAsync(segment, 5, default);
        var index = new List<BlockIndexEntry>();
        long next = 0;
        foreach (var size in new[] { 3, 4, 2 })
        {
            var block = TestBlocks.Block(2, next, size, 5);
            index.Add(new BlockIndexEntry(vanished.BytesWritten, next, size, block.Length));
            await vanished.WriteBlockAsync(block, default);
            next += size;
        }

        // What the writer left behind when it vanished: an upload cut off halfway, a block after that gap, and a
        // stray object that is not a block at all. None of them is part of the segment.
        var folder = BucketView.SegmentFolder(segment);
        var torn = TestBlocks.Block(2, 9, 3, 5);
        await BucketView.PutAsync(options, folder + S3Keys.BlockName(9, 3, torn.Length, 5), torn[..(torn.Length - 7)]);
        var afterGap = TestBlocks.Block(2, 12, 2, 5);
        await BucketView.PutAsync(options, folder + S3Keys.BlockName(12, 2, afterGap.Length, 5), afterGap);
        await BucketView.PutAsync(options, folder + "blocks/upload.tmp", [1, 2, 3]);

        Assert.Null(await storage.TryReadFooterAsync(segment, default));
        var footer = await storage.RecoverAsync(segment, 6, default);
        Assert.Equal(9, footer.EntryCount);
        Assert.Equal(index[^1].Offset + index[^1].Length, footer.DataLength);
        Assert.Equal(index, footer.Blocks);
        Assert.Contains(folder + "fence", await BucketView.ListAsync(options, folder));

        // Safe to repeat: a second recovery (a newer epoch still) returns the same end.
        var again = await storage.RecoverAsync(segment, 7, default);
        Assert.Equal(footer.EntryCount, again.EntryCount);
        Assert.Equal(footer.Blocks, again.Blocks);

        await using (var reader = await storage.OpenReaderAsync(segment, default))
        {
            TestBlocks.AssertEntries(0, 9, await TestBlocks.ReadRangeAsync(reader, 0, 9, 500));
        }

        // The writer coming back is fenced, and nobody can start the segment over.
        await Assert.ThrowsAsync<WriterFencedException>(() => vanished.WriteBlockAsync(torn, default));
        await Assert.ThrowsAsync<WriterFencedException>(() => storage.CreateWriterAsync(segment, 8, default));
        await vanished.DisposeAsync();
    }

    [Theory]
    [InlineData(S3ConditionalWrites.Disabled)]
    [InlineData(S3ConditionalWrites.Auto)]
    public async Task A_block_uploaded_after_the_segment_ended_is_neither_acknowledged_nor_read(S3ConditionalWrites mode)
    {
        var (storage, options) = await StartAsync(o => o.ConditionalWrites = mode);
        await using var _ = storage;
        Assert.False(storage.UsesConditionalWrites); // s3rver ignores If-None-Match: fencing must work without it
        var segment = new SegmentAddress(10, 0);
        await using var zombie = await storage.CreateWriterAsync(segment, 1, default);
        await zombie.WriteBlockAsync(TestBlocks.Block(0, 0, 5, 1), default);
        await zombie.WriteBlockAsync(TestBlocks.Block(0, 5, 5, 1), default);

        // A newer writer (epoch 2) ends the segment; the old one's next upload lands afterwards.
        var footer = await storage.RecoverAsync(segment, 2, default);
        Assert.Equal(10, footer.EntryCount);
        var late = TestBlocks.Block(0, 10, 5, 1);
        await Assert.ThrowsAsync<WriterFencedException>(() => zombie.WriteBlockAsync(late, default));
        Assert.Contains(
            BucketView.SegmentFolder(segment) + S3Keys.BlockName(10, 5, late.Length, 1),
            await BucketView.ListAsync(options, BucketView.SegmentFolder(segment))); // it really landed

        // ... and it is not part of the segment: not in the footer, not returned by any reader, not by a recovery.
        var stored = await storage.TryReadFooterAsync(segment, default);
        Assert.NotNull(stored);
        Assert.Equal(footer.Blocks, stored.Blocks);
        Assert.Equal(10, (await storage.RecoverAsync(segment, 3, default)).EntryCount);
        await using (var reader = await storage.OpenReaderAsync(segment, default))
        {
            TestBlocks.AssertEntries(0, 10, await TestBlocks.ReadRangeAsync(reader, 0, stored.EntryCount, int.MaxValue));
        }

        // The fenced writer stays broken: it can neither append nor write a footer of its own.
        await Assert.ThrowsAsync<WriterFencedException>(() => zombie.WriteBlockAsync(late, default));
        await Assert.ThrowsAsync<WriterFencedException>(() => zombie.CompleteAsync(default));
        Assert.Equal(10, (await storage.TryReadFooterAsync(segment, default))!.EntryCount);
    }

    [Fact]
    public async Task A_block_uploaded_after_the_fence_but_before_the_footer_is_not_acknowledged()
    {
        var (storage, _) = await StartAsync(o => o.ConditionalWrites = S3ConditionalWrites.Disabled);
        await using var __ = storage;
        var segment = new SegmentAddress(11, 4);
        await using var zombie = await storage.CreateWriterAsync(segment, 1, default);
        await zombie.WriteBlockAsync(TestBlocks.Block(4, 0, 5, 1), default);

        // A recovery stored its fence and has not listed the blocks yet; the old writer's upload lands now.
        await storage.Gateway.PutAsync(storage.Keys.Fence(segment), "2"u8.ToArray(), ifNoneMatch: true, segment.LogId, default);
        await Assert.ThrowsAsync<WriterFencedException>(() => zombie.WriteBlockAsync(TestBlocks.Block(4, 5, 5, 1), default));

        // The recovery may or may not count the unacknowledged block; it keeps the acknowledged one, and readers
        // return exactly the entries the footer says.
        var footer = await storage.RecoverAsync(segment, 2, default);
        Assert.Contains(footer.EntryCount, new long[] { 5, 10 });
        await using var reader = await storage.OpenReaderAsync(segment, default);
        TestBlocks.AssertEntries(0, footer.EntryCount, await TestBlocks.ReadRangeAsync(reader, 0, footer.EntryCount, int.MaxValue));
    }

    [Fact]
    public async Task A_recovery_racing_a_busy_writer_keeps_every_acknowledged_block_and_ends_its_acknowledgements()
    {
        var (storage, _) = await StartAsync(o => o.ConditionalWrites = S3ConditionalWrites.Disabled);
        await using var __ = storage;
        var segment = new SegmentAddress(12, 1);
        await using var writer = await storage.CreateWriterAsync(segment, 1, default);
        const int BlockEntries = 3;
        var acknowledged = new ConcurrentDictionary<int, bool>(); // block number -> acknowledged (true) or failed
        var tenAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(Bound);

        // The writer keeps up to the backend's flush concurrency in flight, until it is fenced. Blocks are passed in
        // entry order (each call's synchronous part claims its place), completions arrive in any order.
        async Task WriteUntilFencedAsync()
        {
            using var slots = new SemaphoreSlim(storage.FlushPolicy.MaxConcurrentFlushes);
            var inFlight = new List<Task>();
            var fenced = 0;

            async Task TrackAsync(int number, Task write)
            {
                try
                {
                    await write;
                    acknowledged[number] = true;
                    if (acknowledged.Count(a => a.Value) >= 10)
                    {
                        tenAcknowledged.TrySetResult();
                    }
                }
                catch (WoodpeckerException ex) when (ex is WriterFencedException or StorageUnavailableException)
                {
                    acknowledged[number] = false;
                    Interlocked.Exchange(ref fenced, 1);
                }
                finally
                {
                    slots.Release();
                }
            }

            for (var n = 0; Volatile.Read(ref fenced) == 0; n++)
            {
                await slots.WaitAsync(stop.Token);
                inFlight.Add(TrackAsync(n, writer.WriteBlockAsync(TestBlocks.Block(1, n * BlockEntries, BlockEntries, 1), default)));
            }

            await Task.WhenAll(inFlight);
        }

        var writing = WriteUntilFencedAsync();
        await tenAcknowledged.Task.WaitAsync(Bound);
        var footer = await storage.RecoverAsync(segment, 2, default);
        await writing.WaitAsync(Bound); // the writer must notice: it cannot go on being acknowledged

        // Blocks acknowledge out of order; what counts is the acknowledged prefix (the segment grain acknowledges
        // appends in block order and stops at the first failure). All of it is in the segment.
        var prefix = 0;
        while (acknowledged.TryGetValue(prefix, out var ok) && ok)
        {
            prefix++;
        }

        Assert.True(prefix >= 10, $"only {prefix} blocks form the acknowledged prefix");
        Assert.True(footer.EntryCount >= (long)prefix * BlockEntries, $"the footer ends at entry {footer.EntryCount}, below the acknowledged {prefix * BlockEntries}");
        Assert.Contains(false, acknowledged.Values);
        Assert.Equal(0, footer.EntryCount % BlockEntries);

        await using var reader = await storage.OpenReaderAsync(segment, default);
        TestBlocks.AssertEntries(0, footer.EntryCount, await TestBlocks.ReadRangeAsync(reader, 0, footer.EntryCount, 4096));
    }

    [Fact]
    public async Task Compaction_merges_small_blocks_and_readers_during_it_see_every_entry_once_in_order()
    {
        var (storage, options) = await StartAsync(o =>
        {
            o.MaxBlockBytes = 64 * 1024;
            o.CompactionTargetBytes = 64 * 1024;
            o.CompactionMinMeanObjectBytes = 16 * 1024;
            o.ReadRangeBytes = 64 * 1024;
            o.ReadAhead = 1;
        });
        await using var _ = storage;
        var segment = new SegmentAddress(13, 5);
        const int Blocks = 60;
        const int BlockEntries = 5;
        const long Total = Blocks * BlockEntries;
        SegmentFooter original;
        await using (var writer = await storage.CreateWriterAsync(segment, 1, default))
        {
            for (var n = 0; n < Blocks; n++)
            {
                await writer.WriteBlockAsync(TestBlocks.Block(5, n * BlockEntries, BlockEntries, 1), default);
            }

            original = await writer.CompleteAsync(default);
        }

        Assert.True(original.DataLength > 3 * 64 * 1024, $"the segment ({original.DataLength} B) should span several merged objects");

        // A reader that opened the segment before compaction (with the old footer) reads a third of it first.
        await using var slow = await storage.OpenReaderAsync(segment, default);
        var slowEntries = await TestBlocks.ReadRangeAsync(slow, 0, Total / 3, 1);

        // Compaction and the deletion of the originals run while readers open and read the segment, again and again.
        var countsBefore = Counts.Of(storage.GetRequestCounts(segment.LogId));
        var compacting = Task.Run(async () =>
        {
            var result = await storage.CompactAsync(segment, default);
            Assert.NotNull(result);
            await storage.DeleteReplacedObjectsAsync(segment, result.ReplacedObjects, default);
            return result;
        });
        var passes = 0;
        while (!compacting.IsCompleted || passes == 0)
        {
            await using var racing = await storage.OpenReaderAsync(segment, default);
            TestBlocks.AssertEntries(0, Total, await TestBlocks.ReadRangeAsync(racing, 0, Total, 1).WaitAsync(Bound));
            passes++;
        }

        var compaction = await compacting.WaitAsync(Bound);
        var merged = compaction.Footer;
        Assert.Equal(original.EntryCount, merged.EntryCount);
        Assert.Equal(original.DataLength, merged.DataLength);
        Assert.Equal(original.Blocks.Select(b => (b.FirstEntryId, b.EntryCount, b.Length)), merged.Blocks.Select(b => (b.FirstEntryId, b.EntryCount, b.Length)));
        Assert.All(merged.Objects, o => Assert.StartsWith("compacted/", o.Name, StringComparison.Ordinal));
        Assert.InRange(merged.Objects.Count, 2, (int)Math.Ceiling(original.DataLength / (64.0 * 1024)) + 1);
        Assert.All(merged.Objects, o => Assert.True(o.Length <= 64 * 1024, $"{o.Name} is {o.Length} B"));
        Assert.Equal(original.Objects.Select(o => o.Name).Order(StringComparer.Ordinal), compaction.ReplacedObjects.Order(StringComparer.Ordinal));
        Assert.Equal(Blocks, compaction.ReplacedObjects.Count);

        // One multi-object delete for all 60 (s3rver sometimes fails a batch with a 500, racing itself to remove
        // the emptied folder; the retry is counted too, since every attempt is billed).
        Assert.InRange(Counts.Of(storage.GetRequestCounts(segment.LogId)).Deletes - countsBefore.Deletes, 1, options.MaxAttempts);
        var keys = await BucketView.ListAsync(options, BucketView.SegmentFolder(segment));
        Assert.DoesNotContain(keys, k => k.Contains("/blocks/", StringComparison.Ordinal));
        Assert.Equal(merged.Objects.Count, keys.Count(k => k.Contains("/compacted/", StringComparison.Ordinal)));

        // The slow reader's objects are gone now: it must find the merged ones and go on where it was.
        slowEntries.AddRange(await TestBlocks.ReadRangeAsync(slow, Total / 3, Total, 1));
        TestBlocks.AssertEntries(0, Total, slowEntries);

        await using (var fresh = await storage.OpenReaderAsync(segment, default))
        {
            TestBlocks.AssertEntries(0, Total, await TestBlocks.ReadRangeAsync(fresh, 0, Total, 20_000));
        }

        Assert.Null(await storage.CompactAsync(segment, default)); // nothing left to gain
    }

    [Fact]
    public async Task Request_counts_grow_per_kind_and_per_log()
    {
        var (storage, options) = await StartAsync();
        await using var _ = storage;
        var a = new SegmentAddress(21, 0);
        const long OtherLog = 22;
        var total0 = Counts.Of(storage.TotalRequestCounts);
        Assert.Equal(default, Counts.Of(storage.GetRequestCounts(a.LogId)));

        Counts Delta(Counts before) => Counts.Of(storage.GetRequestCounts(a.LogId)) - before;

        var before = Counts.Of(storage.GetRequestCounts(a.LogId));
        await using var writer = await storage.CreateWriterAsync(a, 1, default);
        Assert.Equal(new Counts(0, 0, 0, 1, 0), Delta(before)); // one listing: is the segment empty?

        before = Counts.Of(storage.GetRequestCounts(a.LogId));
        for (var n = 0; n < 3; n++)
        {
            await writer.WriteBlockAsync(TestBlocks.Block(0, n * 4, 4, 1), default);
        }

        Assert.Equal(new Counts(3, 0, 3, 0, 0), Delta(before)); // per block: its upload and one fence check

        before = Counts.Of(storage.GetRequestCounts(a.LogId));
        await writer.CompleteAsync(default);
        var completing = Delta(before);
        Assert.Equal(2, completing.Puts); // the fence and the footer
        Assert.Equal(1, completing.Lists);
        Assert.Equal(0, completing.Deletes);

        before = Counts.Of(storage.GetRequestCounts(a.LogId));
        await using (var reader = await storage.OpenReaderAsync(a, default))
        {
            TestBlocks.AssertEntries(0, 12, await TestBlocks.ReadRangeAsync(reader, 0, 12, int.MaxValue));
        }

        var reading = Delta(before);
        Assert.True(reading.Gets >= 2, $"reading: {reading}"); // the footer, then the data
        Assert.Equal(0, reading.Puts + reading.Deletes);

        before = Counts.Of(storage.GetRequestCounts(a.LogId));
        await storage.DeleteSegmentAsync(a, default);
        var deleting = Delta(before);
        Assert.Equal(new Counts(0, 0, 0, 1, 0), deleting with { Deletes = 0 }); // one listing
        Assert.InRange(deleting.Deletes, 1, options.MaxAttempts); // one multi-object delete, plus any retry (s3rver can fail a batch racing itself to remove the emptied folder)
        Assert.Empty(await BucketView.ListAsync(options, BucketView.SegmentFolder(a)));

        // Another log's counters are its own.
        Assert.Equal(default, Counts.Of(storage.GetRequestCounts(OtherLog)));
        await storage.DeleteLogAsync(OtherLog, default);
        Assert.Equal(new Counts(0, 0, 0, 1, 0), Counts.Of(storage.GetRequestCounts(OtherLog))); // nothing to delete

        // The total is the sum of the logs' counts.
        var logs = Counts.Of(storage.GetRequestCounts(a.LogId)) + Counts.Of(storage.GetRequestCounts(OtherLog));
        Assert.Equal(logs, Counts.Of(storage.TotalRequestCounts) - total0);
        Assert.True(storage.GetRequestCounts(a.LogId).EstimatedCostUsd > 0);
    }

    [Fact]
    public async Task Deleting_a_log_removes_every_object_under_it_and_nothing_else()
    {
        var (storage, options) = await StartAsync();
        await using var _ = storage;
        foreach (var segment in new[] { new SegmentAddress(31, 0), new SegmentAddress(31, 1), new SegmentAddress(32, 0) })
        {
            await using var writer = await storage.CreateWriterAsync(segment, 1, default);
            await writer.WriteBlockAsync(TestBlocks.Block(segment.SegmentId, 0, 3, 1), default);
            await writer.CompleteAsync(default);
        }

        Assert.Equal(6, (await BucketView.ListAsync(options, BucketView.LogFolder(31))).Count);
        await storage.DeleteLogAsync(31, default);
        Assert.Empty(await BucketView.ListAsync(options, BucketView.LogFolder(31)));
        Assert.Equal(3, (await BucketView.ListAsync(options, BucketView.LogFolder(32))).Count);
        await storage.DeleteLogAsync(31, default); // deleting nothing is not an error
    }

    [Theory]
    [InlineData("empty bucket", "Bucket")]
    [InlineData("short bucket", "Bucket")]
    [InlineData("uppercase bucket", "Bucket")]
    [InlineData("underscore bucket", "Bucket")]
    [InlineData("bucket starting with '-'", "Bucket")]
    [InlineData("64-character bucket", "Bucket")]
    [InlineData("prefix with leading '/'", "KeyPrefix")]
    [InlineData("prefix with trailing '/'", "KeyPrefix")]
    [InlineData("relative service URL", "ServiceUrl")]
    [InlineData("access key without secret", "AccessKey")]
    [InlineData("tiny blocks", "MaxBlockBytes")]
    [InlineData("no uploads", "MaxConcurrentUploads")]
    [InlineData("zero timeout", "RequestTimeout")]
    [InlineData("no attempts", "MaxAttempts")]
    [InlineData("tiny ranges", "ReadRangeBytes")]
    [InlineData("compaction target below block size", "CompactionTargetBytes")]
    public async Task Invalid_options_fail_with_an_error_naming_the_setting(string problem, string setting)
    {
        var options = _fixture.NewOptions();
        Action<S3StorageOptions> breakIt = problem switch
        {
            "empty bucket" => o => o.Bucket = " ",
            "short bucket" => o => o.Bucket = "ab",
            "uppercase bucket" => o => o.Bucket = "Woodpecker",
            "underscore bucket" => o => o.Bucket = "wood_pecker",
            "bucket starting with '-'" => o => o.Bucket = "-woodpecker",
            "64-character bucket" => o => o.Bucket = new string('w', 64),
            "prefix with leading '/'" => o => o.KeyPrefix = "/wp",
            "prefix with trailing '/'" => o => o.KeyPrefix = "wp/",
            "relative service URL" => o => o.ServiceUrl = "s3 endpoint",
            "access key without secret" => o => o.SecretKey = null,
            "tiny blocks" => o => o.MaxBlockBytes = 100,
            "no uploads" => o => o.MaxConcurrentUploads = 0,
            "zero timeout" => o => o.RequestTimeout = TimeSpan.Zero,
            "no attempts" => o => o.MaxAttempts = 0,
            "tiny ranges" => o => o.ReadRangeBytes = 1000,
            _ => o => o.CompactionTargetBytes = o.MaxBlockBytes - 1,
        };
        breakIt(options);

        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(setting, error.ParamName);
        Assert.Contains("S3StorageOptions." + setting, error.Message, StringComparison.Ordinal);

        // Starting the backend validates first: the same clear error, and not a single request.
        var started = await Assert.ThrowsAnyAsync<ArgumentException>(() => S3SegmentStorage.StartAsync(options));
        Assert.Equal(setting, started.ParamName);
    }

    [Fact]
    public void Valid_bucket_names_pass_validation()
    {
        foreach (var bucket in new[] { "abc", "a.b-c", "0-logs", new string('w', 63) })
        {
            var options = _fixture.NewOptions();
            options.Bucket = bucket;
            options.Validate();
        }
    }

    [Fact]
    public async Task A_missing_bucket_or_an_unreachable_store_fails_with_a_clear_error()
    {
        var missing = _fixture.NewOptions();
        missing.Bucket = "missing-" + Guid.NewGuid().ToString("N")[..12];
        missing.CreateBucketIfMissing = false;
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => S3SegmentStorage.StartAsync(missing).WaitAsync(Bound));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing.Bucket, error.Message, StringComparison.Ordinal);

        // Nothing listens on the port: bounded retries, then a typed error naming the store.
        var unreachable = _fixture.NewOptions($"http://127.0.0.1:{FreePorts.Next()}");
        unreachable.MaxAttempts = 2;
        unreachable.RequestTimeout = TimeSpan.FromSeconds(2);
        unreachable.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        var down = await Assert.ThrowsAsync<StorageUnavailableException>(() => S3SegmentStorage.StartAsync(unreachable).WaitAsync(Bound));
        Assert.Contains(unreachable.ServiceUrl!, down.Message, StringComparison.Ordinal);
    }

    private async Task<(S3SegmentStorage Storage, S3StorageOptions Options)> StartAsync(Action<S3StorageOptions>? configure = null)
    {
        var options = _fixture.NewOptions();
        configure?.Invoke(options);
        var storage = await S3SegmentStorage.StartAsync(options).WaitAsync(Bound);
        return (storage, options);
    }
}
