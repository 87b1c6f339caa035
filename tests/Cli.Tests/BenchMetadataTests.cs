using System.Text.Json;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Cli.Tests;

public sealed class BenchMetadataTests
{
    [Fact]
    public async Task A_short_metadata_bench_against_etcd_prints_each_operation_next_to_the_round_trip()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var dir = new TempDirectory();
        var json = Path.Combine(dir.Path, "results.json");
        var result = await Wp.In(dir.Path, "--etcd", etcd.Endpoint, "bench", "metadata", "--count", "5", "--rounds", "2", "--json", json);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"etcd: {etcd.Endpoint}", result.Out, StringComparison.Ordinal);
        foreach (var figure in new[]
                 {
                     "raw etcd put (limit)", "raw etcd txn, one compare (limit)", "create log", "open writer (epoch CAS)",
                     "segment roll: metadata txn", "segment roll: writer's wait for the next segment", "median stall", "worst roll wait", "worst stall", "roll stall:",
                 })
        {
            Assert.Contains(figure, result.Out, StringComparison.Ordinal);
        }

        Assert.Matches("roll stall: (PASS|FAIL) — median", result.Out);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var metadata = report.RootElement.GetProperty("metadata");
        Assert.Equal(2, metadata.GetProperty("rounds").GetArrayLength());
        Assert.True(metadata.GetProperty("rawPut").GetProperty("p50Ms").GetDouble() > 0);
        Assert.True(metadata.GetProperty("createLog").GetProperty("opsPerSecond").GetDouble() > 0);
        Assert.True(metadata.GetProperty("openWriter").GetProperty("p99Ms").GetDouble() > 0);
        Assert.True(metadata.GetProperty("segmentCreate").GetProperty("p50Ms").GetDouble() > 0);
        foreach (var round in metadata.GetProperty("rounds").EnumerateArray())
        {
            Assert.Equal(30, round.GetProperty("rolls").GetInt32());
        }

        // Nothing left behind: neither files under --data nor keys in etcd.
        Assert.Empty(Directory.GetDirectories(dir.Path, "bench-*"));
        using var http = new HttpClient();
        var range = await http.PostAsync(
            new Uri($"{etcd.Endpoint}/v3/kv/range"),
            new StringContent("""{"key":"AA==","range_end":"AA==","count_only":true}"""));
        Assert.DoesNotContain("\"count\"", await range.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_metadata_bench_refuses_object_storage()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "bench", "metadata", "--storage", "s3");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("etcd, not storage", result.Error, StringComparison.Ordinal);
    }
}
