using Woodpecker.Errors;
using Xunit;

namespace Woodpecker.Client.Tests;

public sealed class TruncationTests
{
    [Fact]
    public async Task Truncation_hides_entries_moves_only_forward_and_deletes_whole_segments_after_retention()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.TruncationRetention = TimeSpan.Zero);
        var log = await client.CreateLogAsync("trunc");
        var positions = new List<LogPosition>();
        for (var segment = 0; segment < 3; segment++)
        {
            await using var writer = await log.OpenWriterAsync(); // each writer starts a segment
            for (var i = 0; i < 10; i++)
            {
                positions.Add(await writer.AppendAsync(Clients.Bytes($"s{segment} e{i}")));
            }
        }

        Assert.Equal(new LogPosition(1, 4), await log.TruncateAsync(new LogPosition(1, 4)));
        Assert.Equal(new LogPosition(1, 4), await log.TruncateAsync(new LogPosition(0, 3))); // never backwards
        Assert.Equal(new LogPosition(1, 4), await log.GetTruncationPointAsync());

        var earliest = await Clients.ReadAll(log);
        Assert.Equal(new LogPosition(1, 5), earliest[0].Position);
        Assert.Equal(15, earliest.Count);
        await Assert.ThrowsAsync<PositionTruncatedException>(() => log.OpenReaderAsync(ReadStart.At(new LogPosition(1, 4))));
        await Assert.ThrowsAsync<PositionTruncatedException>(() => log.OpenReaderAsync(ReadStart.At(new LogPosition(0, 0))));

        await client.EmbeddedSilo!.Host.CollectGarbageAsync();
        var segments = await log.ListSegmentsAsync();
        Assert.Equal([1L, 2L], segments.Select(s => s.SegmentId));
        Assert.False(File.Exists(SegmentFile(dir.Path, log.LogId, 0)));
        Assert.True(File.Exists(SegmentFile(dir.Path, log.LogId, 1)));

        // Truncating to the last entry of a segment makes it collectable as a whole.
        await log.TruncateAsync(new LogPosition(1, 9));
        await client.EmbeddedSilo.Host.CollectGarbageAsync();
        Assert.Equal([2L], (await log.ListSegmentsAsync()).Select(s => s.SegmentId));
        Assert.Equal(10, (await Clients.ReadAll(log)).Count);
    }

    [Fact]
    public async Task Segments_are_not_deleted_before_the_retention_delay()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.TruncationRetention = TimeSpan.FromHours(1));
        var log = await client.CreateLogAsync("retained");
        await using (var writer = await log.OpenWriterAsync())
        {
            await writer.AppendAsync(Clients.Bytes("a"));
        }

        await using (var writer = await log.OpenWriterAsync())
        {
            await writer.AppendAsync(Clients.Bytes("b"));
        }

        await log.TruncateAsync(new LogPosition(0, 0));
        await client.EmbeddedSilo!.Host.CollectGarbageAsync();

        var segments = await log.ListSegmentsAsync();
        Assert.Equal(SegmentState.Truncated, segments[0].State);
        Assert.True(File.Exists(SegmentFile(dir.Path, log.LogId, 0)));
    }

    [Fact]
    public async Task A_segment_is_not_deleted_while_an_open_reader_is_in_it()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.TruncationRetention = TimeSpan.Zero);
        var log = await client.CreateLogAsync("reader-holds");
        for (var segment = 0; segment < 2; segment++)
        {
            await using var writer = await log.OpenWriterAsync();
            for (var i = 0; i < 5; i++)
            {
                await writer.AppendAsync(Clients.Bytes($"s{segment} e{i}"));
            }
        }

        var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
        await using (var enumerator = reader.ReadAllAsync().GetAsyncEnumerator())
        {
            Assert.True(await enumerator.MoveNextAsync()); // the reader is inside segment 0

            await log.TruncateAsync(new LogPosition(0, 4));
            await client.EmbeddedSilo!.Host.CollectGarbageAsync();
            Assert.True(File.Exists(SegmentFile(dir.Path, log.LogId, 0)), "segment 0 was deleted under an open reader");

            var rest = new List<string>();
            while (await enumerator.MoveNextAsync())
            {
                rest.Add(Clients.Text(enumerator.Current));
            }

            Assert.Equal(9, rest.Count);
        }

        await reader.DisposeAsync();
        await client.EmbeddedSilo!.Host.CollectGarbageAsync();
        Assert.False(File.Exists(SegmentFile(dir.Path, log.LogId, 0)));
    }

    private static string SegmentFile(string dataDirectory, long logId, long segmentId) =>
        Path.Combine(dataDirectory, "segments", "logs", logId.ToString("D12", System.Globalization.CultureInfo.InvariantCulture),
            segmentId.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + ".data");
}
