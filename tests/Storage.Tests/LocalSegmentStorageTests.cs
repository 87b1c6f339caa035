using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;
using Xunit;

namespace Woodpecker.Storage.Tests;

public sealed class LocalSegmentStorageTests
{
    private static readonly int[] ManyBlocks = [1, 5, 3, 10, 2, 7, 1, 4, 8, 6];

    [Fact]
    public async Task Files_follow_the_documented_layout()
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(42, 7);
        var (writer, _) = await temp.WriteAsync(segment, 1, 2);
        await using (writer)
        {
            Assert.Equal(Path.Combine(temp.Root, "logs", "000000000042", "000000000007.data"), temp.DataPath(segment));
            Assert.True(File.Exists(temp.DataPath(segment)));
            Assert.False(File.Exists(temp.FooterPath(segment)));
            Assert.False(File.Exists(temp.FencePath(segment)));
            var footer = await writer.CompleteAsync(default);
            Assert.Equal(footer.Encode(), await File.ReadAllBytesAsync(temp.FooterPath(segment)));
            Assert.Equal(footer.DataLength, new FileInfo(temp.DataPath(segment)).Length);
        }

        await temp.Storage.RecoverAsync(segment, 2, default);
        Assert.Equal("2", await File.ReadAllTextAsync(temp.FencePath(segment)));
        Assert.Equal(
            new[] { "000000000007.data", "000000000007.fence", "000000000007.footer", "000000000007.lock" },
            Directory.GetFiles(temp.LogDirectory(42)).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reads_return_every_range_across_limits_continuations_and_random_access(bool completed)
    {
        // 4 KiB read chunks, so blocks (some over 20 KiB) straddle chunk boundaries.
        await using var temp = TempStorage.Create(readChunkBytes: 4096);
        var segment = new SegmentAddress(1, 3);
        var (writer, blocks) = await temp.WriteAsync(segment, 4, ManyBlocks);
        await using (writer)
        {
            var total = blocks[^1].EndEntryId;
            if (completed)
            {
                await writer.CompleteAsync(default);
            }

            await using var reader = await temp.Storage.OpenReaderAsync(segment, default);
            var all = new List<StoredEntry>();
            Assert.Equal((int)total, await reader.ReadAsync(0, total, int.MaxValue, all, default));
            AssertEntries(0, total, all);

            // Sequential continuation with a small byte limit: every entry once, in order, at least one per call.
            var sequential = new List<StoredEntry>();
            for (long from = 0; from < total;)
            {
                var n = await reader.ReadAsync(from, total, 3000, sequential, default);
                Assert.True(n >= 1, $"no progress at entry {from}");
                from += n;
            }

            AssertEntries(0, total, sequential);
            Assert.Equal(0, await reader.ReadAsync(total, total, int.MaxValue, sequential, default));

            var random = new Random(12345);
            int[] limits = [1, 100, 5_000, 50_000, int.MaxValue];
            for (var i = 0; i < 150; i++)
            {
                var from = random.NextInt64(0, total + 1);
                var to = random.NextInt64(from, total + 1);
                var maxBytes = limits[random.Next(limits.Length)];
                await CheckRead(reader, blocks, from, to, maxBytes, $"read {i}: [{from}, {to}) max {maxBytes}");
            }
        }
    }

    [Fact]
    public async Task A_read_stops_at_the_first_block_boundary_at_or_past_max_bytes()
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(1, 4);
        await using var writer = await temp.Storage.CreateWriterAsync(segment, 1, default);
        for (var i = 0; i < 6; i++)
        {
            await writer.WriteBlockAsync(TestEntries.Block([new TestEntry(new byte[100], []), new TestEntry(new byte[50], [])], 4, i * 2, 1), default);
        }

        await using var reader = await temp.Storage.OpenReaderAsync(segment, default);
        foreach (var (maxBytes, expected) in new[] { (1, 2), (150, 2), (151, 4), (300, 4), (301, 6), (int.MaxValue, 12) })
        {
            var output = new List<StoredEntry>();
            Assert.Equal(expected, await reader.ReadAsync(0, 12, maxBytes, output, default));
            Assert.Equal(Enumerable.Range(0, expected).Select(i => (long)i), output.Select(e => e.EntryId));
        }

        // Starting inside a block counts only the entries returned from it.
        Assert.Equal(3, await reader.ReadAsync(1, 12, 51, [], default));
    }

    [Fact]
    public async Task Complete_writes_the_footer_and_readers_are_bounded_by_it()
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(2, 0);
        var (writer, blocks) = await temp.WriteAsync(segment, 9, 4, 6, 2);
        await using var early = await temp.Storage.OpenReaderAsync(segment, default);
        Assert.Equal(5, await early.ReadAsync(0, 5, int.MaxValue, [], default));
        Assert.Null(await temp.Storage.TryReadFooterAsync(segment, default));

        SegmentFooter footer;
        await using (writer)
        {
            footer = await writer.CompleteAsync(default);
            Assert.Equal(writer.BytesWritten, footer.DataLength);
        }

        TestEntries.AssertEqual(new SegmentFooter(0, 9, 12, blocks[^1].Offset + blocks[^1].Length, blocks), footer);
        TestEntries.AssertEqual(footer, await temp.Storage.TryReadFooterAsync(segment, default));

        // Bytes past DataLength (a fenced writer's late block, a torn tail) are not part of the segment.
        await AppendToFileAsync(temp.DataPath(segment), TempStorage.MakeBlock(0, 12, 3, 9));
        await using var late = await temp.Storage.OpenReaderAsync(segment, default);
        foreach (var reader in new[] { early, late })
        {
            var output = new List<StoredEntry>();
            Assert.Equal(12, await reader.ReadAsync(0, long.MaxValue, int.MaxValue, output, default));
            AssertEntries(0, 12, output);
            Assert.Equal(0, await reader.ReadAsync(12, 20, int.MaxValue, output, default));
        }

        // Recovering a completed segment returns its footer and changes nothing.
        TestEntries.AssertEqual(footer, await temp.Storage.RecoverAsync(segment, 10, default));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("zeros")]
    [InlineData("half a block")]
    [InlineData("a header without its records")]
    [InlineData("a bad record checksum")]
    [InlineData("a bad record checksum, then a valid block")]
    [InlineData("a block of another segment")]
    [InlineData("a block that skips entry ids")]
    public async Task Recovery_keeps_exactly_the_valid_prefix(string tail)
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(3, 1);
        var (writer, blocks) = await temp.WriteAsync(segment, 5, 3, 4, 2);
        await writer.DisposeAsync();
        var validLength = blocks[^1].Offset + blocks[^1].Length;
        var next = TempStorage.MakeBlock(1, 9, 3, 5);
        byte[] bytes;
        switch (tail)
        {
            case "garbage":
                bytes = TestEntries.Bytes(tail.Length, 5000);
                break;
            case "zeros":
                bytes = new byte[8192];
                break;
            case "half a block":
                bytes = next[..(next.Length / 2)];
                break;
            case "a header without its records":
                bytes = next[..FormatConstants.BlockHeaderSize];
                break;
            case "a bad record checksum":
            case "a bad record checksum, then a valid block":
                bytes = next.ToArray();
                bytes[^1] ^= 0x40; // the last payload byte: the header still checks out
                if (tail.EndsWith("block", StringComparison.Ordinal))
                {
                    bytes = [.. bytes, .. TempStorage.MakeBlock(1, 12, 2, 5)];
                }

                break;
            case "a block of another segment":
                bytes = TempStorage.MakeBlock(2, 9, 3, 5);
                break;
            default:
                bytes = TempStorage.MakeBlock(1, 10, 3, 5);
                break;
        }

        Assert.NotNull(BlockHeader.TryRead(next, out _));
        await AppendToFileAsync(temp.DataPath(segment), bytes);

        var footer = await temp.Storage.RecoverAsync(segment, 6, default);
        TestEntries.AssertEqual(new SegmentFooter(1, 5, 9, validLength, blocks), footer);
        Assert.True(File.Exists(temp.FencePath(segment)));
        Assert.True(new FileInfo(temp.DataPath(segment)).Length > footer.DataLength);

        await using var reader = await temp.Storage.OpenReaderAsync(segment, default);
        var output = new List<StoredEntry>();
        Assert.Equal(9, await reader.ReadAsync(0, long.MaxValue, int.MaxValue, output, default));
        AssertEntries(0, 9, output);
        Assert.Equal(0, await reader.ReadAsync(9, 100, int.MaxValue, output, default));
        TestEntries.AssertEqual(footer, await temp.Storage.RecoverAsync(segment, 7, default));
    }

    [Fact]
    public async Task Recovery_of_a_segment_without_blocks_ends_it_empty()
    {
        await using var temp = TempStorage.Create();
        var created = new SegmentAddress(4, 1);
        await (await temp.Storage.CreateWriterAsync(created, 3, default)).DisposeAsync();
        var never = new SegmentAddress(4, 2);
        foreach (var segment in new[] { created, never })
        {
            var footer = await temp.Storage.RecoverAsync(segment, 3, default);
            TestEntries.AssertEqual(new SegmentFooter(segment.SegmentId, 3, 0, 0, []), footer);
            await using var reader = await temp.Storage.OpenReaderAsync(segment, default);
            Assert.Equal(0, await reader.ReadAsync(0, long.MaxValue, int.MaxValue, [], default));
        }
    }

    [Fact]
    public async Task A_recovered_segment_fences_its_old_writer_and_readers_never_see_its_late_block()
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(5, 2);
        var (writer, blocks) = await temp.WriteAsync(segment, 1, 3, 3);
        await using var _ = writer;
        await using var early = await temp.Storage.OpenReaderAsync(segment, default);
        Assert.Equal(6, await early.ReadAsync(0, 6, int.MaxValue, [], default));

        var footer = await temp.Storage.RecoverAsync(segment, 2, default);
        Assert.Equal(6, footer.EntryCount);

        await Assert.ThrowsAsync<WriterFencedException>(() => writer.WriteBlockAsync(TempStorage.MakeBlock(2, 6, 3, 1), default));
        Assert.True(new FileInfo(temp.DataPath(segment)).Length > footer.DataLength, "the late block should be on disk, past the footer");
        await Assert.ThrowsAsync<WriterFencedException>(() => writer.WriteBlockAsync(TempStorage.MakeBlock(2, 6, 3, 1), default));
        await Assert.ThrowsAsync<WriterFencedException>(() => writer.CompleteAsync(default));

        await using var late = await temp.Storage.OpenReaderAsync(segment, default);
        foreach (var reader in new[] { early, late })
        {
            var output = new List<StoredEntry>();
            Assert.Equal(6, await reader.ReadAsync(0, long.MaxValue, int.MaxValue, output, default));
            AssertEntries(0, 6, output);
            Assert.Equal(0, await reader.ReadAsync(6, 9, int.MaxValue, output, default));
        }

        // Recovery is idempotent: the late block on disk does not change the segment's end.
        TestEntries.AssertEqual(footer, await temp.Storage.RecoverAsync(segment, 3, default));
        TestEntries.AssertEqual(footer, await temp.Storage.TryReadFooterAsync(segment, default));
        await Assert.ThrowsAnyAsync<WoodpeckerException>(() => temp.Storage.CreateWriterAsync(segment, 4, default));
    }

    [Fact]
    public async Task Recovery_is_idempotent_and_a_later_complete_yields_the_recovered_footer_or_is_fenced()
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(6, 0);
        var (writer, blocks) = await temp.WriteAsync(segment, 1, 2, 2);
        await using var _ = writer;

        // The last block rots on disk after it was written, so that recovery ends the segment before the writer
        // would: whichever footer is published first must stay the segment's end.
        await using (var file = new FileStream(temp.DataPath(segment), FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length - 1;
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)~b);
        }

        var first = await temp.Storage.RecoverAsync(segment, 2, default);
        TestEntries.AssertEqual(new SegmentFooter(0, 1, 2, blocks[0].Length, blocks[..1]), first);
        TestEntries.AssertEqual(first, await temp.Storage.RecoverAsync(segment, 2, default));
        TestEntries.AssertEqual(first, await temp.Storage.RecoverAsync(segment, 3, default));

        try
        {
            TestEntries.AssertEqual(first, await writer.CompleteAsync(default));
        }
        catch (WriterFencedException)
        {
        }

        TestEntries.AssertEqual(first, await temp.Storage.TryReadFooterAsync(segment, default));
    }

    [Fact]
    public async Task Concurrent_recovery_never_loses_an_acknowledged_block()
    {
        // The ordering argument: recovery fences before it scans, a writer checks the fence after fdatasync and
        // before acknowledging. So every acknowledged block is inside the recovered segment, whatever the timing.
        await using var temp = TempStorage.Create();
        for (var round = 0; round < 12; round++)
        {
            var segment = new SegmentAddress(7, round);
            await using var writer = await temp.Storage.CreateWriterAsync(segment, 1, default);
            long acknowledged = 0;
            using var started = new SemaphoreSlim(0);
            var writing = Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    try
                    {
                        await writer.WriteBlockAsync(TempStorage.MakeBlock(round, acknowledged, 2, 1), default);
                    }
                    catch (WriterFencedException)
                    {
                        return;
                    }

                    acknowledged += 2;
                    if (i == round % 4)
                    {
                        started.Release();
                    }
                }
            });

            Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)), $"round {round}: the writer made no progress");
            var footer = await temp.Storage.RecoverAsync(segment, 2, default);
            await writing.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(footer.EntryCount >= acknowledged, $"round {round}: {acknowledged} entries acknowledged, recovery kept {footer.EntryCount}");
            Assert.True(footer.EntryCount <= acknowledged + 2, $"round {round}: recovery kept {footer.EntryCount} of at most {acknowledged + 2} written");
            await using var reader = await temp.Storage.OpenReaderAsync(segment, default);
            var output = new List<StoredEntry>();
            await reader.ReadAsync(0, long.MaxValue, int.MaxValue, output, default);
            AssertEntries(0, footer.EntryCount, output);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_flipped_byte_is_reported_as_corruption_and_no_entry_of_the_damaged_block_is_returned(bool completed)
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(8, 1);
        var (writer, blocks) = await temp.WriteAsync(segment, 1, 4, 4, 4, 4);
        await using (writer)
        {
            if (completed)
            {
                await writer.CompleteAsync(default);
            }
        }

        var damaged = blocks[2];
        await using (var file = new FileStream(temp.DataPath(segment), FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = damaged.Offset + (damaged.Length / 2);
            var b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x10));
        }

        await using var reader = await temp.Storage.OpenReaderAsync(segment, default);
        var output = new List<StoredEntry>();
        await Assert.ThrowsAsync<StorageCorruptedException>(() => reader.ReadAsync(0, 16, int.MaxValue, output, default));
        Assert.All(output, e => Assert.True(e.EntryId < damaged.FirstEntryId, $"entry {e.EntryId} of the damaged block was returned"));
        AssertEntries(0, output.Count, output);

        output.Clear();
        await Assert.ThrowsAsync<StorageCorruptedException>(() => reader.ReadAsync(damaged.FirstEntryId + 1, 16, int.MaxValue, output, default));
        Assert.Empty(output);

        // Entries before the damage stay readable, and with a footer's index so do the blocks after it.
        Assert.Equal(8, await reader.ReadAsync(0, damaged.FirstEntryId, int.MaxValue, output, default));
        AssertEntries(0, 8, output);
        if (completed)
        {
            output.Clear();
            Assert.Equal(4, await reader.ReadAsync(blocks[3].FirstEntryId, 16, int.MaxValue, output, default));
            AssertEntries(12, 16, output);
        }
    }

    [Fact]
    public async Task A_segment_that_holds_data_cannot_get_a_new_writer()
    {
        await using var temp = TempStorage.Create();
        var active = new SegmentAddress(9, 1);
        var (writer, _) = await temp.WriteAsync(active, 1, 3);
        await writer.DisposeAsync();
        var length = new FileInfo(temp.DataPath(active)).Length;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => temp.Storage.CreateWriterAsync(active, 2, default));
        Assert.Equal(length, new FileInfo(temp.DataPath(active)).Length);

        var completed = new SegmentAddress(9, 2);
        var (second, _) = await temp.WriteAsync(completed, 1, 3);
        await using (second)
        {
            await second.CompleteAsync(default);
        }

        await Assert.ThrowsAnyAsync<WoodpeckerException>(() => temp.Storage.CreateWriterAsync(completed, 2, default));
        await using var reader = await temp.Storage.OpenReaderAsync(active, default);
        var output = new List<StoredEntry>();
        Assert.Equal(3, await reader.ReadAsync(0, 3, int.MaxValue, output, default));
        AssertEntries(0, 3, output);
    }

    [Fact]
    public async Task Deleting_segments_and_logs_removes_their_files_and_can_be_repeated()
    {
        await using var temp = TempStorage.Create();
        var one = new SegmentAddress(10, 1);
        var two = new SegmentAddress(10, 2);
        var other = new SegmentAddress(11, 1);
        foreach (var segment in new[] { one, two, other })
        {
            var (writer, _) = await temp.WriteAsync(segment, 1, 2);
            await using (writer)
            {
                await writer.CompleteAsync(default);
            }
        }

        await temp.Storage.RecoverAsync(one, 2, default);
        await temp.Storage.DeleteSegmentAsync(one, default);
        Assert.False(File.Exists(temp.DataPath(one)));
        Assert.False(File.Exists(temp.FooterPath(one)));
        Assert.False(File.Exists(temp.FencePath(one)));
        Assert.Null(await temp.Storage.TryReadFooterAsync(one, default));
        Assert.True(File.Exists(temp.DataPath(two)));
        await temp.Storage.DeleteSegmentAsync(one, default);
        await temp.Storage.DeleteSegmentAsync(new SegmentAddress(12, 5), default);

        await temp.Storage.DeleteLogAsync(10, default);
        Assert.False(Directory.Exists(temp.LogDirectory(10)));
        await temp.Storage.DeleteLogAsync(10, default);
        await temp.Storage.DeleteSegmentAsync(two, default);
        Assert.Null(await temp.Storage.TryReadFooterAsync(two, default));

        await using var reader = await temp.Storage.OpenReaderAsync(other, default);
        var output = new List<StoredEntry>();
        Assert.Equal(2, await reader.ReadAsync(0, long.MaxValue, int.MaxValue, output, default));
        AssertEntries(0, 2, output);
    }

    [Fact]
    public async Task An_active_segment_reader_never_returns_entries_at_or_beyond_the_given_end()
    {
        await using var temp = TempStorage.Create(readChunkBytes: 4096);
        var segment = new SegmentAddress(13, 0);
        var (writer, blocks) = await temp.WriteAsync(segment, 1, 5, 5, 5);
        await using var _ = writer;
        await using var reader = await temp.Storage.OpenReaderAsync(segment, default);

        foreach (var (from, to) in new (long, long)[] { (0, 7), (7, 7), (3, 12), (12, 15), (0, 1), (14, 15), (5, 10), (2, 3) })
        {
            var output = new List<StoredEntry>();
            Assert.Equal((int)(to - from), await reader.ReadAsync(from, to, int.MaxValue, output, default));
            AssertEntries(from, to, output);
        }

        // A tailing reader sees blocks written after it opened, up to the end it is given.
        await TempStorage.AppendAsync(writer, segment, 1, blocks, 4, 4);
        var tail = new List<StoredEntry>();
        Assert.Equal(6, await reader.ReadAsync(15, 21, int.MaxValue, tail, default));
        AssertEntries(15, 21, tail);
    }

    [Fact]
    public async Task A_tailing_reader_rereads_a_block_it_cached_while_the_block_was_still_being_written()
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(13, 1);
        var (writer, _) = await temp.WriteAsync(segment, 1, 2, 2);
        await writer.DisposeAsync();

        // The next block is on disk at its full length, but its last bytes have not landed yet.
        var next = TempStorage.MakeBlock(1, 4, 3, 1);
        var torn = next.ToArray();
        torn[^1] ^= 0xFF;
        var offset = new FileInfo(temp.DataPath(segment)).Length;
        await AppendToFileAsync(temp.DataPath(segment), torn);

        await using var reader = await temp.Storage.OpenReaderAsync(segment, default);
        var output = new List<StoredEntry>();
        Assert.Equal(4, await reader.ReadAsync(0, 4, int.MaxValue, output, default)); // caches the torn block too

        await using (var file = new FileStream(temp.DataPath(segment), FileMode.Open, FileAccess.Write))
        {
            file.Position = offset + next.Length - 1;
            file.WriteByte(next[^1]);
        }

        Assert.Equal(3, await reader.ReadAsync(4, 7, int.MaxValue, output, default));
        AssertEntries(0, 7, output);
    }

    private static async Task CheckRead(ISegmentReader reader, List<BlockIndexEntry> blocks, long from, long to, int maxBytes, string what)
    {
        var sentinel = new StoredEntry(-1, [], null);
        var output = new List<StoredEntry> { sentinel };
        var n = await reader.ReadAsync(from, to, maxBytes, output, default);
        Assert.Same(sentinel, output[0]);
        Assert.Equal(n, output.Count - 1);
        if (from < to)
        {
            Assert.True(n >= 1, $"{what}: nothing returned");
        }

        Assert.True(n <= to - from, $"{what}: {n} entries returned");
        AssertEntries(from, from + n, output[1..]);
        if (n == 0)
        {
            return;
        }

        // It stops early only once maxBytes is reached, and reads at most one block past the limit.
        var bytes = output.Skip(1).Sum(e => (long)e.Payload.Length);
        if (from + n < to)
        {
            Assert.True(bytes >= maxBytes, $"{what}: stopped after {n} entries and {bytes} bytes");
        }

        var lastBlockStart = blocks.Last(b => b.FirstEntryId <= from + n - 1).FirstEntryId;
        var beforeLastBlock = output.Skip(1).Where(e => e.EntryId < lastBlockStart).Sum(e => (long)e.Payload.Length);
        Assert.True(beforeLastBlock < maxBytes, $"{what}: read on after {beforeLastBlock} bytes");
    }

    private static void AssertEntries(long from, long to, List<StoredEntry> actual)
    {
        Assert.Equal(to - from, actual.Count);
        for (var i = 0; i < actual.Count; i++)
        {
            TestEntries.AssertEqual(TestEntries.ForId(from + i), from + i, actual[i]);
        }
    }

    private static async Task AppendToFileAsync(string path, byte[] bytes)
    {
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write);
        await file.WriteAsync(bytes);
    }

    [Fact]
    public async Task A_segment_has_one_writer_at_a_time_and_a_footer_by_anyone_else_fences_it()
    {
        await using var temp = TempStorage.Create();
        var segment = new SegmentAddress(5, 3);
        await using var writer = await temp.Storage.CreateWriterAsync(segment, 1, default);

        // A second writer (another activation or process) cannot take the segment while the first holds it.
        var refused = await Assert.ThrowsAsync<Woodpecker.Errors.StorageUnavailableException>(() => temp.Storage.CreateWriterAsync(segment, 1, default));
        Assert.Contains("writer", refused.Message, StringComparison.Ordinal);

        // Someone else completes the segment (publishes a footer): the writer's next block is not acknowledged.
        await temp.Storage.RecoverAsync(segment, 2, default);
        await Assert.ThrowsAsync<Woodpecker.Errors.WriterFencedException>(() => writer.WriteBlockAsync(TempStorage.MakeBlock(3, 0, 2, 1), default));
    }
}
