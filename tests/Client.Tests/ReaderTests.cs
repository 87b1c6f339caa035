using System.Diagnostics;
using Woodpecker.Errors;
using Xunit;

namespace Woodpecker.Client.Tests;

[Collection(SerialCollection.Name)]
public sealed class ReaderTests
{
    [Fact]
    public async Task A_tail_reader_wakes_as_soon_as_entries_are_durable()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("tail");
        await using var writer = await log.OpenWriterAsync();
        await writer.AppendAsync(Clients.Bytes("history"));

        await using var reader = await log.OpenReaderAsync(ReadStart.Latest);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<(string Text, long Ticks)>();
        var reading = Task.Run(async () =>
        {
            await foreach (var message in reader.ReadAllAsync(stop.Token))
            {
                received.Add((Clients.Text(message), Stopwatch.GetTimestamp()));
                if (received.Count == 20)
                {
                    return;
                }
            }
        });

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(30);
            await writer.AppendAsync(Clients.Bytes($"live {i}"));
            var acked = Stopwatch.GetTimestamp();
            await Clients.WaitUntil(() => Task.FromResult(received.Count > i), TimeSpan.FromSeconds(10), $"entry {i} at the reader");
            delays.Add(Stopwatch.GetElapsedTime(acked, received[i].Ticks));
        }

        await reading;
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"live {i}"), received.Select(r => r.Text));
        delays.Sort();
        Assert.True(delays[delays.Count / 2] < TimeSpan.FromMilliseconds(50), $"median wake-up {delays[delays.Count / 2].TotalMilliseconds} ms: the reader is not woken by new entries");
    }

    [Fact]
    public async Task A_follower_moves_across_segment_rolls_and_a_writer_change()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.SegmentRollBytes = 64 * 1024);
        var log = await client.CreateLogAsync("follow");
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var message in reader.ReadAllAsync(stop.Token))
            {
                received.Add(Clients.Text(message));
                if (received.Count == 2_000)
                {
                    return;
                }
            }
        });

        for (var w = 0; w < 2; w++)
        {
            await using var writer = await log.OpenWriterAsync();
            await Task.WhenAll(Enumerable.Range(0, 1_000).Select(i => writer.AppendAsync(Clients.Bytes($"w{w} {i:D4} " + new string('z', 200)))));
        }

        await reading;
        var expected = Enumerable.Range(0, 2).SelectMany(w => Enumerable.Range(0, 1_000).Select(i => $"w{w} {i:D4} " + new string('z', 200)));
        Assert.Equal(expected, received);
    }

    [Fact]
    public async Task Reading_from_a_position_returns_that_entry_first()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.SegmentRollBytes = 64 * 1024);
        var log = await client.CreateLogAsync("seek");
        List<LogPosition> positions;
        await using (var writer = await log.OpenWriterAsync())
        {
            positions = (await Task.WhenAll(Enumerable.Range(0, 1_000).Select(i => writer.AppendAsync(Clients.Bytes($"{i} " + new string('q', 300)))))).ToList();
        }

        foreach (var index in new[] { 0, 1, 499, 500, 998, 999 })
        {
            var read = await Clients.ReadAll(log, ReadStart.At(positions[index]));
            Assert.Equal(positions.Skip(index), read.Select(m => m.Position));
        }
    }

    [Fact]
    public async Task A_non_following_reader_stops_at_the_end_and_a_latest_reader_sees_nothing_old()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("ends");
        Assert.Empty(await Clients.ReadAll(log));
        await using var writer = await log.OpenWriterAsync();
        await writer.AppendAsync(Clients.Bytes("old"));

        Assert.Single(await Clients.ReadAll(log));
        Assert.Empty(await Clients.ReadAll(log, ReadStart.Latest));
    }

    [Fact]
    public async Task One_reader_refuses_two_concurrent_consumers()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("single-consumer");
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest);
        using var stop = new CancellationTokenSource();
        var first = reader.ReadAllAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var firstMove = first.MoveNextAsync();

        await Assert.ThrowsAsync<HandleClosedException>(async () =>
        {
            await foreach (var unused in reader.ReadAllAsync())
            {
            }
        });

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await firstMove);
        await first.DisposeAsync();
    }
}
