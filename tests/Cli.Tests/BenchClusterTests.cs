using System.Text.Json;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Cli.Tests;

public sealed class BenchClusterTests
{
    [Fact]
    public async Task A_short_cluster_bench_prints_routing_cost_failover_and_scale_next_to_their_limits()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var dir = new TempDirectory();
        var json = Path.Combine(dir.Path, "results.json");
        var result = await Wp.In(
            dir.Path, "--etcd", etcd.Endpoint, "bench", "cluster", "--logs", "300", "--active", "30", "--failovers", "1", "--rounds", "1", "--count", "50", "--json", json);

        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var section in new[]
                 {
                     "Routing cost", "Failover", "Scale", "append p50: cluster − embedded", "≤ one gRPC round trip to a silo",
                     "failover: appends resume after kill", "managed heap per idle log",
                 })
        {
            Assert.Contains(section, result.Out, StringComparison.Ordinal);
        }

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var cluster = report.RootElement.GetProperty("cluster");
        Assert.Equal(1, cluster.GetProperty("rounds").GetArrayLength());
        Assert.True(cluster.GetProperty("roundTrip").GetProperty("p50Ms").GetDouble() > 0);
        var failover = cluster.GetProperty("failovers")[0].GetProperty("resumedAfterSeconds").GetDouble();
        Assert.InRange(failover, 0.01, 30);
        Assert.Equal(300, cluster.GetProperty("scale").GetProperty("logsPerSilo").EnumerateArray().Sum(n => n.GetInt32()));
        Assert.Empty(Directory.GetDirectories(dir.Path, "bench-*"));
    }

    [Fact]
    public async Task The_cluster_bench_refuses_more_active_logs_than_logs()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "--etcd", "http://127.0.0.1:1", "bench", "cluster", "--logs", "10", "--active", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ActiveLogs", result.Error, StringComparison.Ordinal);
    }
}
