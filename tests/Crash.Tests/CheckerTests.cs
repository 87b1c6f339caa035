using Woodpecker.Client;
using Woodpecker.CrashWriter;
using Xunit;

namespace Woodpecker.Crash.Tests;

/// <summary>Negative controls: the checker the crash tests rely on reports each kind of broken log.</summary>
public sealed class CheckerTests
{
    private const string LogName = "checked";

    [Fact]
    public async Task A_well_formed_log_with_an_unacknowledged_tail_passes()
    {
        using var dir = new TempDirectory();
        var positions = await WriteAsync(dir.Path, [0, 1, 2, 3]);
        var expected = new ExpectedLog(LogName);
        Assert.Empty(expected.RecordAcks("child", 0, [new Ack(0, positions[0]), new Ack(1, positions[1])], []));
        var result = await expected.VerifyAsync(dir.Path, "check", null, TimeSpan.FromSeconds(30));
        Assert.True(result.Ok, string.Join("\n", result.Problems));
        Assert.Equal(4, result.StoredEntries);
        Assert.Empty(expected.RecordAcks("next child", 4, [], []));
    }

    [Fact]
    public async Task A_gap_is_reported()
    {
        var problems = await ProblemsAsync([0, 1, 3], acked: 1);
        Assert.Contains(problems, p => p.Contains("gap: seqs 2..2 are missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_duplicate_is_reported()
    {
        var problems = await ProblemsAsync([0, 1, 1, 2], acked: 1);
        Assert.Contains(problems, p => p.Contains("duplicate or reordered entry: seq 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lost_acknowledged_entry_is_reported()
    {
        using var dir = new TempDirectory();
        var positions = await WriteAsync(dir.Path, [0, 1]);
        var expected = new ExpectedLog(LogName);
        Assert.Empty(expected.RecordAcks("child", 0, [new Ack(0, positions[0]), new Ack(1, positions[1]), new Ack(2, positions[1] with { EntryId = 2 })], []));
        var result = await expected.VerifyAsync(dir.Path, "check", null, TimeSpan.FromSeconds(30));
        Assert.Contains(result.Problems, p => p.Contains("the log ends at seq 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_entry_away_from_its_acknowledged_position_is_reported()
    {
        using var dir = new TempDirectory();
        await WriteAsync(dir.Path, [0, 1]);
        var expected = new ExpectedLog(LogName);
        Assert.Empty(expected.RecordAcks("child", 0, [new Ack(0, new LogPosition(7, 0)), new Ack(1, new LogPosition(7, 1))], []));
        var result = await expected.VerifyAsync(dir.Path, "check", null, TimeSpan.FromSeconds(30));
        Assert.Contains(result.Problems, p => p.Contains("but it was at 7:0 (acknowledged in child)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_checksum_is_reported()
    {
        using var dir = new TempDirectory();
        await using (var client = await WoodpeckerClient.CreateEmbeddedAsync(dir.Path))
        {
            var log = await client.CreateLogAsync(LogName);
            await using var writer = await log.OpenWriterAsync();
            var payload = CrashPayload.Create(0, 100, new Random(1));
            payload[50] ^= 1;
            await writer.AppendAsync(payload);
        }

        var result = await new ExpectedLog(LogName).VerifyAsync(dir.Path, "check", null, TimeSpan.FromSeconds(30));
        Assert.Contains(result.Problems, p => p.Contains("checksum mismatch", StringComparison.Ordinal));
    }

    [Fact]
    public void Acks_out_of_order_and_a_restart_below_an_acknowledged_entry_are_reported()
    {
        var expected = new ExpectedLog(LogName);
        var disorder = expected.RecordAcks("first", 0, [new Ack(0, new LogPosition(0, 0)), new Ack(2, new LogPosition(0, 1)), new Ack(3, new LogPosition(0, 1))], []);
        Assert.Contains(disorder, p => p.Contains("where ACK 1 was due", StringComparison.Ordinal));
        Assert.Contains(disorder, p => p.Contains("not after the previous ACK's 0:1", StringComparison.Ordinal));
        var restart = expected.RecordAcks("second", 2, [], []);
        Assert.Contains(restart, p => p.Contains("found only seqs up to 1", StringComparison.Ordinal));
    }

    private static async Task<List<string>> ProblemsAsync(long[] sequences, int acked)
    {
        using var dir = new TempDirectory();
        var positions = await WriteAsync(dir.Path, sequences);
        var expected = new ExpectedLog(LogName);
        Assert.Empty(expected.RecordAcks("child", 0, [.. Enumerable.Range(0, acked + 1).Select(i => new Ack(sequences[i], positions[i]))], []));
        var result = await expected.VerifyAsync(dir.Path, "check", null, TimeSpan.FromSeconds(30));
        Assert.False(result.Ok);
        return [.. result.Problems];
    }

    private static async Task<LogPosition[]> WriteAsync(string dataDirectory, long[] sequences)
    {
        await using var client = await WoodpeckerClient.CreateEmbeddedAsync(dataDirectory);
        var log = await client.CreateLogAsync(LogName);
        await using var writer = await log.OpenWriterAsync();
        var random = new Random(42);
        var appends = sequences.Select(s => writer.AppendAsync(CrashPayload.Create(s, random.Next(16, 300), random))).ToList();
        return await Task.WhenAll(appends);
    }
}
