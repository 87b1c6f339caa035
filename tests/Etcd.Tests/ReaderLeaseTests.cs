using System.Text;
using Woodpecker.Client;
using Woodpecker.Silo.Embedded;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Etcd.Tests;

/// <summary>Garbage collection respects a reader in another process, and forgets it once that process dies and its lease expires.</summary>
public sealed class ReaderLeaseTests
{
    private static readonly string Worker = ChildProcess.FindProgram(typeof(ReaderLeaseTests).Assembly, "LogWorkerPath");

    [Fact]
    public async Task A_killed_readers_registration_holds_its_segment_only_until_its_lease_expires()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var storage = new TestDirectory("wp-readers");
        await using var client = await WoodpeckerClient.CreateEmbeddedAsync(new EmbeddedSiloOptions
        {
            DataDirectory = storage.Path,
            Etcd = new EtcdClientOptions { Endpoints = [etcd.Endpoint] },
            Log = { TruncationRetention = TimeSpan.Zero },
        });
        var log = await client.CreateLogAsync("read-held");
        for (var segment = 0; segment < 2; segment++)
        {
            await using var writer = await log.OpenWriterAsync();
            for (var i = 0; i < 5; i++)
            {
                await writer.AppendAsync(Encoding.UTF8.GetBytes($"s{segment} e{i}"));
            }
        }

        await using var reader = ChildProcess.Start(Worker,
            "--etcd", etcd.Endpoint, "--storage", storage.Path, "--log", "read-held", "--tag", "R", "--read-entries", "1", "--reader-lease-ttl", "2");
        Assert.Equal("READING 0:0", await reader.WaitForLineAsync(l => l.StartsWith("READING", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the reader"));

        await log.TruncateAsync(new LogPosition(0, 4));
        await client.EmbeddedSilo!.Host.CollectGarbageAsync();
        Assert.Equal(0, (await log.ListSegmentsAsync())[0].SegmentId); // held by the live reader

        await reader.KillAsync();
        await client.EmbeddedSilo.Host.CollectGarbageAsync();
        Assert.Equal(0, (await log.ListSegmentsAsync())[0].SegmentId); // its lease has not expired yet

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await log.ListSegmentsAsync())[0].SegmentId == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "segment 0 was never collected after the reader's lease expired");
            await Task.Delay(500);
            await client.EmbeddedSilo.Host.CollectGarbageAsync();
        }

        Assert.Equal([1L], (await log.ListSegmentsAsync()).Select(s => s.SegmentId));
    }
}
