using System.Text.Json;
using Xunit;

namespace Woodpecker.Cli.Tests;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task A_short_latency_bench_prints_the_summary_writes_json_and_cleans_up()
    {
        using var dir = new TempDirectory();
        var json = Path.Combine(dir.Path, "results.json");
        var result = await Wp.In(dir.Path, "bench", "latency", "--count", "20", "--rounds", "2", "--json", json);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Summary", result.Out, StringComparison.Ordinal);
        Assert.Contains("latency p50", result.Out, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var latency = report.RootElement.GetProperty("latency");
        Assert.Equal(2, latency.GetProperty("rounds").GetArrayLength());
        Assert.True(latency.GetProperty("medianLogP50Ms").GetDouble() > 0);
        Assert.Equal(0.3, latency.GetProperty("goalMs").GetDouble());
        Assert.Empty(Directory.GetDirectories(dir.Path, "bench-*"));
    }
}
