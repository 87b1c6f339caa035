using System.Globalization;
using Spectre.Console;
using Woodpecker.Benchmarks;
using Woodpecker.Benchmarks.Cluster;

namespace Woodpecker.Cli.Output;

/// <summary>Prints `wp bench cluster`: routing cost next to embedded and one gRPC round trip, failover against its goal, and scale.</summary>
internal static class ClusterTables
{
    public static void Write(IAnsiConsole console, ClusterBenchmarkResult result)
    {
        var rounds = Tables.Create(
            $"Routing cost: {Units.Bytes(result.EntryBytes)} appends through a silo of a {result.Silos}-silo cluster vs embedded, same disk, same run (latency one at a time, ms)",
            ">Round", ">Embedded p50", ">Cluster p50", ">Embedded p99", ">Cluster p99", ">Embedded p99.9", ">Cluster p99.9", ">Embedded entries/s", ">Cluster entries/s");
        foreach (var round in result.Rounds)
        {
            rounds.AddTextRow(
                Int(round.Round), Ms(round.Embedded.P50Ms), Ms(round.Cluster.P50Ms), Ms(round.Embedded.P99Ms), Ms(round.Cluster.P99Ms),
                Ms(round.Embedded.P999Ms), Ms(round.Cluster.P999Ms), Rate(round.EmbeddedEntriesPerSecond), Rate(round.ClusterEntriesPerSecond));
        }

        console.Write(rounds);

        var failovers = Tables.Create(
            $"Failover: the silo holding a log is killed (lease abandoned, not revoked; lease TTL {result.LeaseTtl.TotalSeconds:0.#} s); time to the next acknowledged append",
            "Killed silo", ">Resumed after (s)", ">Appends with unknown outcome");
        foreach (var run in result.Failovers)
        {
            failovers.AddTextRow(run.Killed, Seconds(run.ResumedAfterSeconds), Int(run.AppendsWithUnknownOutcome));
        }

        console.Write(failovers);

        var scale = result.Scale;
        var scaleTable = Tables.Create("Scale", "What", ">Value");
        scaleTable.AddTextRow($"logs created across the cluster", $"{scale.Logs:N0} in {Seconds(scale.CreateSeconds)} s ({Rate(scale.Logs / scale.CreateSeconds)}/s)");
        scaleTable.AddTextRow("logs per silo (placement)", string.Join(" / ", scale.LogsPerSilo.Select(n => n.ToString("N0", CultureInfo.InvariantCulture))));
        scaleTable.AddTextRow("active logs on one silo (open writer, one entry)", $"{scale.ActiveLogs:N0}, {scale.ActivationsOnSilo:N0} activations there, set up in {Seconds(scale.SetupActiveSeconds)} s");
        scaleTable.AddTextRow("managed heap per active log (silo + client side)", Units.Bytes((long)scale.ActiveBytesPerLog));
        scaleTable.AddTextRow("managed heap per idle log", string.Create(CultureInfo.InvariantCulture, $"{scale.IdleBytesPerLog:0.#} B"));
        console.Write(scaleTable);

        var rtt = result.RoundTrip;
        var summary = Tables.Create("Cluster summary (medians over rounds)", "Measure", ">Value", ">Limit / goal", ">Met");
        var cost = result.MedianRemoteCostP50Ms;
        summary.AddTextRow("append p50: cluster − embedded", $"+{Ms(cost)} ms", $"≤ one gRPC round trip to a silo: p50 {Ms(rtt.P50Ms)} ms (p99 {Ms(rtt.P99Ms)})", cost <= rtt.P50Ms ? "yes" : "no");
        summary.AddTextRow("pipelined throughput: cluster ÷ embedded", Percent(result.MedianThroughputRatio), "(context: same entries, same disk)", "");
        var worst = result.Failovers.Count == 0 ? double.NaN : result.Failovers.Max(f => f.ResumedAfterSeconds);
        summary.AddTextRow("failover: appends resume after kill (worst)", $"{Seconds(worst)} s", "≤ 5 s (Orleans' default detection ≈ 15 s)", worst <= 5 ? "yes" : "no");
        summary.AddTextRow("idle log memory", string.Create(CultureInfo.InvariantCulture, $"{scale.IdleBytesPerLog:0.#} B/log"), "≈ 0", scale.IdleBytesPerLog < 64 ? "yes" : "no");
        console.Write(summary);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:0.000}");

    private static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00}");

    private static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio * 100:0.0} %");
}
