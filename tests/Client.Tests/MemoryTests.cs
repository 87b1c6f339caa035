using Xunit;

namespace Woodpecker.Client.Tests;

[Collection(SerialCollection.Name)]
public sealed class MemoryTests
{
    [Fact]
    public async Task Thousands_of_idle_logs_release_their_memory()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o =>
        {
            o.Runtime.IdleDeactivationAge = TimeSpan.FromSeconds(20);
            o.Runtime.CollectionInterval = TimeSpan.FromMilliseconds(250);
            o.Log.SegmentIdleCompleteAge = TimeSpan.FromSeconds(5);
        });
        var runtime = client.EmbeddedSilo!.Host.Runtime;
        const int logs = 2_000;
        await client.CreateLogAsync("warm-up"); // loads code paths and static caches into the baseline
        var baseline = Heap();

        var payload = new byte[16 * 1024];
        await Parallel.ForEachAsync(Enumerable.Range(0, logs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var log = await client.CreateLogAsync($"idle-{i:D5}", ct);
            await using var writer = await log.OpenWriterAsync(cancellationToken: ct);
            await writer.AppendAsync(payload, cancellationToken: ct);
        });
        var active = Heap();
        Assert.True(runtime.ActivationCount >= logs * 9 / 10, $"expected the logs' grains to be active, found {runtime.ActivationCount}");

        await Clients.WaitUntil(() => Task.FromResult(runtime.ActivationCount == 0), TimeSpan.FromSeconds(90), "idle deactivation of every grain");
        var idle = Heap();

        var grown = active - baseline;
        Assert.True(grown > logs * 16_000L, $"active logs should hold their tail caches (grew {grown} bytes)");
        Assert.True(idle - baseline <= grown / 10,
            $"after idle deactivation the heap should be within 10% of the growth: baseline {baseline:N0}, active {active:N0}, idle {idle:N0}");
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
