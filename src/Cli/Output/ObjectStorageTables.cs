using System.Globalization;
using Spectre.Console;
using Woodpecker.Benchmarks;
using Woodpecker.Benchmarks.ObjectStorage;

namespace Woodpecker.Cli.Output;

/// <summary>Prints `wp bench --storage s3`: per-round figures, latency, request rate and cost, and a summary against the goals.</summary>
internal static class ObjectStorageTables
{
    public static void Write(IAnsiConsole console, ObjectStorageResult result)
    {
        console.WriteLine($"store: {result.Store}");
        var block = Units.Bytes(result.BlockBytes);
        var rounds = Tables.Create(
            $"Object storage: one writer, {Units.Bytes(result.EntryBytes)} entries, pipelined; limits = raw PUT/GET of {block} objects, {result.Concurrency} at once (rounds alternate)",
            ">Round", ">Bytes", ">Raw PUT", ">Log append", ">Ratio", ">Raw GET", ">Catch-up read", ">Ratio", ">PUTs/s", ">CPU raw/log", ">Gen2 GCs");
        foreach (var round in result.Rounds)
        {
            rounds.AddTextRow(
                Int(round.Round), Units.Bytes(round.Bytes), Units.Rate(round.RawPutMBps), Units.Rate(round.LogMBps), Units.Percent(round.WriteRatio),
                Units.Rate(round.RawGetMBps), Units.Rate(round.CatchUpMBps), Units.Percent(round.ReadRatio), Number(round.LogPutsPerSecond),
                string.Create(CultureInfo.InvariantCulture, $"{round.RawPutCpuCores:0.00}/{round.LogCpuCores:0.00}"), Int(round.LogGen2Collections));
        }

        console.Write(rounds);

        var latency = Tables.Create(
            "Append latency, one at a time, against the raw PUT of one block of the same size",
            "Run", ">p50", ">p99", ">max", ">PUTs/s", ">PUT cost per month");
        latency.AddTextRow("raw PUT of one block",
            Ms(result.RawSmallPut.P50Ms), Ms(result.RawSmallPut.P99Ms), Ms(result.RawSmallPut.MaxMs), "—", "—");
        foreach (var run in new[] { result.DefaultInterval, result.ZeroInterval })
        {
            latency.AddTextRow(
                $"log, flush interval {run.FlushInterval.TotalMilliseconds:0} ms", Ms(run.Latency.P50Ms), Ms(run.Latency.P99Ms), Ms(run.Latency.MaxMs),
                Number(run.PutsPerSecond), Usd(ObjectStorageResult.MonthlyPutCostUsd(run.PutsPerSecond)));
        }

        console.Write(latency);

        var summary = Tables.Create("Summary (medians over rounds)", "Workload", ">Woodpecker", ">Limit, same run", ">Result", ">Goal", "Met");
        summary.AddTextRow(
            "append throughput", Units.Rate(result.MedianLogMBps), $"{Units.Rate(result.MedianRawPutMBps)} (raw PUT)",
            $"{Units.Percent(result.MedianWriteRatio)} of raw", $"≥ {Units.Percent(ObjectStorageResult.GoalRatio)}", Met(result.MedianWriteRatio >= ObjectStorageResult.GoalRatio));
        summary.AddTextRow(
            "catch-up read", Units.Rate(result.MedianCatchUpMBps), $"{Units.Rate(result.MedianRawGetMBps)} (raw GET)",
            $"{Units.Percent(result.MedianReadRatio)} of raw", $"≥ {Units.Percent(ObjectStorageResult.GoalRatio)}", Met(result.MedianReadRatio >= ObjectStorageResult.GoalRatio));
        summary.AddTextRow(
            "append p50 / p99, default interval", $"{Ms(result.DefaultInterval.Latency.P50Ms)} / {Ms(result.DefaultInterval.Latency.P99Ms)}",
            $"{Ms(result.RawSmallPut.P50Ms)} / {Ms(result.RawSmallPut.P99Ms)} (raw PUT)", $"interval {result.DefaultInterval.FlushInterval.TotalMilliseconds:0} ms + upload", "reported", "—");
        summary.AddTextRow(
            "append p50 / p99, interval 0", $"{Ms(result.ZeroInterval.Latency.P50Ms)} / {Ms(result.ZeroInterval.Latency.P99Ms)}",
            $"{Ms(result.RawSmallPut.P50Ms)} / {Ms(result.RawSmallPut.P99Ms)} (raw PUT)",
            string.Create(CultureInfo.InvariantCulture, $"{result.ZeroInterval.Latency.P50Ms - result.RawSmallPut.P50Ms:+0.00;-0.00} ms p50"), "reported", "—");
        summary.AddTextRow(
            "PUT requests while streaming", $"{Number(result.MedianLogPutsPerSecond)}/s", $"{result.MedianLogPutsPerMegabyte:0.00} per MB",
            $"{Usd(ObjectStorageResult.MonthlyPutCostUsd(result.MedianLogPutsPerSecond))} per month at this rate", "$0.005 / 1,000 PUTs", "—");
        console.Write(summary);
    }

    private static string Met(bool met) => met ? "yes" : "no";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("N1", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:0.00} ms");

    private static string Usd(double usd) => string.Create(CultureInfo.InvariantCulture, $"${usd:N2}");
}
