using Woodpecker.Errors;
using Xunit;

namespace Woodpecker.Client.Tests;

public sealed class WriterTests
{
    [Fact]
    public async Task Pipelined_appends_are_acknowledged_in_order_across_segment_rolls()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.SegmentRollBytes = 64 * 1024);
        var log = await client.CreateLogAsync("rolling");
        var completionOrder = new List<LogPosition>();
        var pending = new List<Task<LogPosition>>();
        await using (var writer = await log.OpenWriterAsync())
        {
            for (var i = 0; i < 3_000; i++)
            {
                var append = writer.AppendAsync(Clients.Bytes($"entry {i:D5} " + new string('x', 100)));
                _ = append.ContinueWith(t => { lock (completionOrder) { completionOrder.Add(t.Result); } }, TaskScheduler.Default);
                pending.Add(append);
                if (i % 250 == 249)
                {
                    // Rolls happen between batches; a window that never drains would keep one segment busy.
                    await append;
                }
            }

            await Task.WhenAll(pending);
        }

        var positions = pending.Select(t => t.Result).ToList();
        Assert.True(positions.Zip(positions.Skip(1)).All(p => p.First < p.Second), "positions must increase in append order");
        Assert.True(positions[^1].SegmentId >= 3, $"expected several segments, last position {positions[^1]}");

        // When an append completes, every earlier append has completed already.
        for (var i = 0; i < pending.Count; i++)
        {
            Assert.True(pending[i].IsCompletedSuccessfully);
        }

        var read = await Clients.ReadAll(log);
        Assert.Equal(positions, read.Select(m => m.Position));
        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => $"entry {i:D5} " + new string('x', 100)), read.Select(Clients.Text));
        var segments = await log.ListSegmentsAsync();
        Assert.All(segments, s => Assert.Equal(SegmentState.Completed, s.State));
        Assert.Equal(3_000, segments.Sum(s => s.EntryCount));
    }

    [Fact]
    public async Task Opening_a_second_writer_fences_the_first()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("fenced");
        await using var first = await log.OpenWriterAsync();
        var a = await first.AppendAsync(Clients.Bytes("a"));

        await using var second = await log.OpenWriterAsync();
        Assert.True(second.Epoch > first.Epoch);

        await Assert.ThrowsAsync<WriterFencedException>(() => first.AppendAsync(Clients.Bytes("zombie")));
        await Assert.ThrowsAsync<WriterFencedException>(() => first.AppendAsync(Clients.Bytes("zombie again")));
        var b = await second.AppendAsync(Clients.Bytes("b"));
        Assert.True(b > a);

        await second.FlushAsync();
        Assert.Equal(["a", "b"], (await Clients.ReadAll(log)).Select(Clients.Text));
    }

    [Fact]
    public async Task A_fenced_writer_with_appends_in_flight_never_gets_a_later_one_acknowledged()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("race");
        var first = await log.OpenWriterAsync();
        var inFlight = Enumerable.Range(0, 2_000).Select(i => first.AppendAsync(Clients.Bytes($"old {i}"))).ToList();
        await using var second = await log.OpenWriterAsync();
        await second.AppendAsync(Clients.Bytes("new"));

        var acknowledged = new List<LogPosition>();
        var failedFrom = -1;
        for (var i = 0; i < inFlight.Count; i++)
        {
            try
            {
                acknowledged.Add(await inFlight[i]);
                Assert.Equal(-1, failedFrom); // nothing succeeds after a failure
            }
            catch (WoodpeckerException)
            {
                failedFrom = failedFrom < 0 ? i : failedFrom;
            }
        }

        await second.FlushAsync();
        var read = await Clients.ReadAll(log);
        var texts = read.Select(Clients.Text).ToList();

        // Every acknowledged old entry is in the log, in order, before the new writer's entry.
        Assert.Equal(acknowledged, read.Take(acknowledged.Count).Select(m => m.Position));
        Assert.Equal("new", texts[^1]);
        Assert.DoesNotContain(texts.Skip(acknowledged.Count).SkipLast(1), t => !t.StartsWith("old ", StringComparison.Ordinal));
        await first.DisposeAsync();
    }

    [Fact]
    public async Task A_closed_writer_refuses_appends()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("closed");
        var writer = await log.OpenWriterAsync();
        await writer.AppendAsync(Clients.Bytes("one"));
        await writer.CloseAsync();

        await Assert.ThrowsAsync<HandleClosedException>(() => writer.AppendAsync(Clients.Bytes("two")));
        var segment = Assert.Single(await log.ListSegmentsAsync());
        Assert.Equal(SegmentState.Completed, segment.State);
        Assert.Equal(1, segment.EntryCount);
    }

    [Fact]
    public async Task An_idle_log_completes_its_segment_and_the_next_append_starts_a_new_one()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.SegmentIdleCompleteAge = TimeSpan.FromMilliseconds(300));
        var log = await client.CreateLogAsync("idle");
        await using var writer = await log.OpenWriterAsync();
        Assert.Equal(new LogPosition(0, 0), await writer.AppendAsync(Clients.Bytes("before")));

        await Clients.WaitUntil(async () => (await log.ListSegmentsAsync())[0].State == SegmentState.Completed, TimeSpan.FromSeconds(10), "idle completion");

        Assert.Equal(new LogPosition(1, 0), await writer.AppendAsync(Clients.Bytes("after")));
        Assert.Equal(["before", "after"], (await Clients.ReadAll(log)).Select(Clients.Text));
    }

    [Fact]
    public async Task Appends_to_a_deleted_log_fail_with_a_typed_error()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("doomed");
        await using var writer = await log.OpenWriterAsync();
        await writer.AppendAsync(Clients.Bytes("x"));

        await client.DeleteLogAsync("doomed");

        var error = await Assert.ThrowsAnyAsync<WoodpeckerException>(() => writer.AppendAsync(Clients.Bytes("y")));
        Assert.True(error is WriterFencedException or LogNotFoundException, error.GetType().Name);
    }
}
