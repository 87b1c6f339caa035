using Woodpecker.Errors;
using Xunit;

namespace Woodpecker.Client.Tests;

/// <summary>The next segment is created ahead of the roll that needs it, so a roll waits for no metadata round trip.</summary>
public sealed class SegmentPrepareTests
{
    [Fact]
    public async Task Rolls_hand_over_segments_created_ahead_and_closing_leaves_none_open()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.SegmentRollEntries = 10);
        var log = await client.CreateLogAsync("prepared");
        var positions = new List<LogPosition>();
        await using (var writer = await log.OpenWriterAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                positions.Add(await writer.AppendAsync(Clients.Bytes($"entry {i}")));
            }

            // Segment 0 is half full and filling fast: segment 1 exists before any roll asked for it.
            await Clients.WaitUntil(async () => (await log.ListSegmentsAsync()).Count == 2, TimeSpan.FromSeconds(10), "the next segment created ahead");
            var ahead = await log.ListSegmentsAsync();
            Assert.Equal([SegmentState.Active, SegmentState.Active], ahead.Select(s => s.State));
            Assert.Equal(0, ahead[1].EntryCount);

            for (var i = 5; i < 100; i++)
            {
                positions.Add(await writer.AppendAsync(Clients.Bytes($"entry {i}")));
            }
        }

        // Every roll used the segment prepared for it: no segment was skipped or wasted on the way.
        Assert.Equal(Enumerable.Range(0, 100).Select(i => new LogPosition(i / 10, i % 10)), positions);
        var segments = await log.ListSegmentsAsync();
        Assert.All(segments, s => Assert.Equal(SegmentState.Completed, s.State));
        Assert.Equal(100, segments.Sum(s => s.EntryCount));
        Assert.InRange(segments.Count, 10, 11); // the last one may have been prepared for a roll that never came
        Assert.All(segments.Skip(10), s => Assert.Equal(0, s.EntryCount));
        Assert.Equal(positions, (await Clients.ReadAll(log)).Select(m => m.Position));
    }

    [Fact]
    public async Task A_reader_that_does_not_follow_stops_at_the_end_even_when_the_next_segment_is_prepared()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.SegmentRollEntries = 10);
        var log = await client.CreateLogAsync("prepared-read");
        await using var writer = await log.OpenWriterAsync();
        for (var i = 0; i < 5; i++)
        {
            await writer.AppendAsync(Clients.Bytes($"entry {i}"));
        }

        await Clients.WaitUntil(async () => (await log.ListSegmentsAsync()).Count == 2, TimeSpan.FromSeconds(10), "the next segment created ahead");

        // Segment 0 is still being written (not closing): the reader must not wait for it (TailWait is 20 s).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(5, (await Clients.ReadAll(log)).Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a non-following read took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_new_writer_completes_the_segment_prepared_for_the_writer_it_fences()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.SegmentRollEntries = 10);
        var log = await client.CreateLogAsync("prepared-fenced");
        var first = await log.OpenWriterAsync();
        for (var i = 0; i < 5; i++)
        {
            await first.AppendAsync(Clients.Bytes($"old {i}"));
        }

        await Clients.WaitUntil(async () => (await log.ListSegmentsAsync()).Count == 2, TimeSpan.FromSeconds(10), "the next segment created ahead");

        await using var second = await log.OpenWriterAsync();
        var segments = await log.ListSegmentsAsync();
        Assert.All(segments, s => Assert.Equal(SegmentState.Completed, s.State));
        Assert.Equal([5L, 0L], segments.Select(s => s.EntryCount));

        // The fenced writer can neither append to its old segment nor roll into the prepared one.
        for (var i = 0; i < 12; i++)
        {
            await Assert.ThrowsAsync<WriterFencedException>(() => first.AppendAsync(Clients.Bytes("zombie")));
        }

        Assert.Equal(new LogPosition(2, 0), await second.AppendAsync(Clients.Bytes("new")));
        Assert.Equal(["old 0", "old 1", "old 2", "old 3", "old 4", "new"], (await Clients.ReadAll(log)).Select(Clients.Text));
        await first.DisposeAsync();
    }

    [Fact]
    public async Task A_zero_prepare_lead_creates_each_segment_at_its_roll()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o =>
        {
            o.Log.SegmentRollEntries = 10;
            o.Log.SegmentPrepareLead = TimeSpan.Zero;
        });
        var log = await client.CreateLogAsync("not-prepared");
        await using var writer = await log.OpenWriterAsync();
        for (var i = 0; i < 9; i++)
        {
            await writer.AppendAsync(Clients.Bytes($"entry {i}"));
        }

        await Task.Delay(200);
        Assert.Single(await log.ListSegmentsAsync());
        await writer.AppendAsync(Clients.Bytes("entry 9"));
        Assert.Equal(new LogPosition(1, 0), await writer.AppendAsync(Clients.Bytes("entry 10")));
    }
}
