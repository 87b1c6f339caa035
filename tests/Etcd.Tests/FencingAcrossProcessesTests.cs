using System.Text;
using Woodpecker.Client;
using Woodpecker.Silo.Embedded;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Etcd.Tests;

/// <summary>
/// Single-writer fencing between real processes that share etcd and a storage directory: the later writer always
/// wins, and a superseded writer — even one frozen with SIGSTOP while the other took over — never gets another
/// append acknowledged.
/// </summary>
public sealed class FencingAcrossProcessesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string Worker = ChildProcess.FindProgram(typeof(FencingAcrossProcessesTests).Assembly, "LogWorkerPath");

    [Fact]
    public async Task Of_two_processes_writing_one_log_only_the_latest_can_append()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var storage = new TestDirectory("wp-fence");
        await using var first = Start(etcd, storage.Path, "A");
        await first.WaitForLineAsync(l => l.StartsWith("ACK A:49 ", StringComparison.Ordinal), Patience, "A's first 50 acknowledgements");

        await using var second = Start(etcd, storage.Path, "B", "--count", "200");
        await second.WaitForLineAsync(l => l == "DONE", Patience, "B to finish");

        Assert.Equal(5, await first.WaitForExitAsync(Patience)); // fenced
        Assert.Contains(first.Lines, l => l.StartsWith("FAILED WriterFenced", StringComparison.Ordinal));
        await Verify(etcd, storage.Path, first, second);
    }

    [Theory]
    [InlineData("local disk")]
    [InlineData("S3")]
    public async Task A_writer_frozen_while_another_takes_over_gets_nothing_acknowledged_after_it_thaws(string storageKind)
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var storage = new TestDirectory("wp-fence");
        // On S3 the frozen writer has block uploads in flight; they land after B ended the segment, without
        // conditional writes (s3rver has none): only the fence and the footer keep them out of the log.
        await using var s3rver = storageKind == "S3" ? await S3rverServer.StartAsync() : null;
        string[] s3 = s3rver is null ? [] : S3Arguments(s3rver);
        await using var first = Start(etcd, storage.Path, "A", ["--in-flight", "64", .. s3]);
        await first.WaitForLineAsync(l => l.StartsWith("ACK A:199 ", StringComparison.Ordinal), Patience, "A's first 200 acknowledgements");

        first.Pause();
        var linesBeforeResume = first.Lines.Count;
        await using var second = Start(etcd, storage.Path, "B", ["--count", "300", .. s3]);
        await second.WaitForLineAsync(l => l == "DONE", Patience, "B to finish while A is frozen");
        first.Resume();

        Assert.Equal(5, await first.WaitForExitAsync(Patience));
        var bFirst = Acks(second.Lines).First().Position;
        var lateAcks = Acks(first.Lines.Skip(linesBeforeResume)).Where(a => a.Position >= bFirst).ToList();
        Assert.True(lateAcks.Count == 0, $"the thawed writer got {lateAcks.Count} appends acknowledged after B took over, first {lateAcks.FirstOrDefault()}");
        await Verify(etcd, storage.Path, first, second, s3rver);
    }

    /// <summary>The log holds every acknowledged entry at its position; A's entries all precede B's; no A entry follows B's first.</summary>
    private static async Task Verify(EtcdServer etcd, string storage, ChildProcess a, ChildProcess b, S3rverServer? s3rver = null)
    {
        await using var client = await WoodpeckerClient.CreateEmbeddedAsync(new EmbeddedSiloOptions
        {
            DataDirectory = storage,
            Etcd = new EtcdClientOptions { Endpoints = [etcd.Endpoint] },
            S3 = s3rver is null ? null : new Storage.S3.S3StorageOptions
            {
                ServiceUrl = s3rver.Endpoint,
                Bucket = S3Bucket,
                KeyPrefix = S3Prefix,
                AccessKey = S3rverServer.AccessKey,
                SecretKey = S3rverServer.SecretKey,
            },
        });
        var log = await client.OpenLogAsync("contested");
        var stored = new List<(string Text, LogPosition Position)>();
        await using (var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false }))
        {
            await foreach (var message in reader.ReadAllAsync())
            {
                stored.Add((Encoding.UTF8.GetString(message.Payload.Span), message.Position));
            }
        }

        var byPosition = stored.ToDictionary(s => s.Position, s => s.Text);
        foreach (var ack in Acks(a.Lines).Concat(Acks(b.Lines)))
        {
            Assert.True(byPosition.TryGetValue(ack.Position, out var text) && text == ack.Entry, $"acknowledged {ack.Entry} at {ack.Position} is not in the log");
        }

        var firstB = stored.FindIndex(s => s.Text.StartsWith("B:", StringComparison.Ordinal));
        Assert.True(firstB >= 0);
        Assert.DoesNotContain(stored.Skip(firstB), s => s.Text.StartsWith("A:", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, stored.Count - firstB).Select(i => $"B:{i}"), stored.Skip(firstB).Select(s => s.Text));
        var aEntries = stored.Take(firstB).Select(s => s.Text).ToList();
        Assert.Equal(Enumerable.Range(0, aEntries.Count).Select(i => $"A:{i}"), aEntries);
    }

    private static IEnumerable<(string Entry, LogPosition Position)> Acks(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Select(p => (p[1], LogPosition.Parse(p[2])));

    private const string S3Bucket = "fencing";
    private const string S3Prefix = "wp";

    private static string[] S3Arguments(S3rverServer s3rver) =>
    [
        "--s3-endpoint", s3rver.Endpoint, "--s3-bucket", S3Bucket, "--s3-prefix", S3Prefix,
        "--s3-access-key", S3rverServer.AccessKey, "--s3-secret-key", S3rverServer.SecretKey,
    ];

    private static ChildProcess Start(EtcdServer etcd, string storage, string tag, params string[] extra) =>
        ChildProcess.Start(Worker, ["--etcd", etcd.Endpoint, "--storage", storage, "--log", "contested", "--tag", tag, .. extra]);
}
