using System.Globalization;
using Spectre.Console;
using Woodpecker.Benchmarks;

namespace Woodpecker.Cli.Output;

/// <summary>Prints benchmark results: per-round tables, then a summary with each figure next to its limit and goal.</summary>
internal static class BenchmarkTables
{
    public static void Write(IAnsiConsole console, BenchmarkReport report)
    {
        var machine = report.Machine;
        console.WriteLine(
            $"{report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z on {machine.MachineName}: {machine.ProcessorCount} CPUs, {machine.OperatingSystem}, " +
            $"{machine.Runtime}, files under {machine.DataParent}{(machine.FileSystem is { } fs ? $" ({fs})" : "")}");

        if (report.Throughput is { } throughput)
        {
            WriteThroughput(console, throughput);
        }

        if (report.Latency is { } latency)
        {
            WriteLatency(console, latency);
        }

        if (report.IdleLogs is { } idle)
        {
            WriteIdleLogs(console, idle);
        }

        if (report.ObjectStorage is { } objectStorage)
        {
            ObjectStorageTables.Write(console, objectStorage);
        }

        if (report.Metadata is { } metadata)
        {
            MetadataTables.Write(console, metadata);
        }

        if (report.Cluster is { } cluster)
        {
            ClusterTables.Write(console, cluster);
        }

        if (report.Throughput is not null || report.Latency is not null || report.IdleLogs is not null)
        {
            WriteSummary(console, report);
        }
    }

    private static void WriteThroughput(IAnsiConsole console, ThroughputResult result)
    {
        var block = Units.Bytes(result.BlockBytes);
        var entry = Units.Bytes(result.EntryBytes);
        var table = Tables.Create(
            $"Throughput: one writer, {entry} entries, pipelined; limit = sequential {block} writes + fdatasync (rounds alternate raw, log)",
            ">Round", ">Bytes", $">Raw {block}+fdatasync", ">Log", ">Log ÷ raw", $">Raw {entry}+fdatasync (context)");
        foreach (var round in result.Rounds)
        {
            table.AddTextRow(
                Int(round.Round), Units.Bytes(round.Bytes), Units.Rate(round.RawBlockMBps), Units.Rate(round.LogMBps), Units.Percent(round.Ratio), Units.Rate(round.RawEntryMBps));
        }

        table.AddTextRow(
            "median", "", Units.Rate(result.MedianRawBlockMBps), Units.Rate(result.MedianLogMBps), Units.Percent(result.MedianRatio), Units.Rate(result.MedianRawEntryMBps));
        console.Write(table);

        var where = Tables.Create(
            "Throughput, where the time goes (log metrics vs raw)",
            ">Round", ">Log blocks", ">Mean block", ">Log ms/flush", $">Raw ms per {block}", ">Log flush in progress", ">CPU cores raw / log", ">Log GC pauses", ">Log time");
        foreach (var round in result.Rounds)
        {
            where.AddTextRow(
                Int(round.Round), Tables.Number(round.LogBlocks), Units.Bytes(round.LogMeanBlockBytes), Ms(round.LogMsPerFlush), Ms(round.RawBlockMsPerChunk),
                Units.Percent(round.LogFlushBusy), string.Create(CultureInfo.InvariantCulture, $"{round.RawCpuCores:0.00} / {round.LogCpuCores:0.00}"),
                string.Create(CultureInfo.InvariantCulture, $"{round.LogGcCount} GCs ({round.LogGen2Count} gen2), {round.LogGcPause.TotalMilliseconds:0} ms"), string.Create(CultureInfo.InvariantCulture, $"{round.LogElapsed.TotalSeconds:0.00} s"));
        }

        console.Write(where);
    }

    private static void WriteLatency(IAnsiConsole console, LatencyResult result)
    {
        var entry = Units.Bytes(result.EntryBytes);
        var table = Tables.Create(
            $"Latency: {entry} appends one at a time; limit = one {entry} write + fdatasync (rounds alternate raw, log; ms)",
            ">Round", ">Count", ">Raw p50", ">Log p50", ">Log − raw p50", ">Raw p99", ">Log p99", ">Raw p99.9", ">Log p99.9");
        foreach (var round in result.Rounds)
        {
            table.AddTextRow(
                Int(round.Round), Tables.Number(round.Log.Count), Ms(round.Raw.P50Ms), Ms(round.Log.P50Ms), SignedMs(round.P50DifferenceMs),
                Ms(round.Raw.P99Ms), Ms(round.Log.P99Ms), Ms(round.Raw.P999Ms), Ms(round.Log.P999Ms));
        }

        table.AddTextRow(
            "median", "", Ms(result.MedianRawP50Ms), Ms(result.MedianLogP50Ms), SignedMs(result.MedianP50DifferenceMs),
            Ms(result.MedianRawP99Ms), Ms(result.MedianLogP99Ms), Ms(result.MedianRawP999Ms), Ms(result.MedianLogP999Ms));
        console.Write(table);
    }

    private static void WriteIdleLogs(IAnsiConsole console, IdleLogsResult result)
    {
        var table = Tables.Create(
            $"Idle logs: {result.Logs:N0} logs set up (create, open writer, append {Units.Bytes(result.EntryBytes)}, close), then left idle",
            "Moment", ">Managed heap", ">Working set (context)", ">Activations");
        table.AddTextRow("cold baseline: client started, no log (context)", Units.Bytes(result.BaselineHeapBytes), Units.Bytes(result.BaselineWorkingSetBytes), "0");
        table.AddTextRow($"baseline: {result.Logs / 10:N0}-log warm-up set up and idle", Units.Bytes(result.WarmBaselineHeapBytes), "", "0");
        table.AddTextRow(
            result.HeldActiveUntilPeak
                ? $"peak: all logs set up and active ({result.SetupElapsed.TotalSeconds:0.0} s)"
                : $"peak: last log set up ({result.SetupElapsed.TotalSeconds:0.0} s; at most {result.MostActivationsDuringSetup:N0} activations meanwhile)",
            Units.Bytes(result.PeakHeapBytes), Units.Bytes(result.PeakWorkingSetBytes), Tables.Number(result.ActivationsAtPeak));
        table.AddTextRow(
            $"idle: after deactivation ({result.IdleElapsed.TotalSeconds:0.0} s)", Units.Bytes(result.IdleHeapBytes), Units.Bytes(result.IdleWorkingSetBytes), Tables.Number(result.ActivationsLeft));
        console.Write(table);
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"idle heap vs cold baseline: {result.IdleOverColdBaselinePercent:+0.0;-0.0} %; vs baseline: {result.RetainedBytesPerLog:0} bytes per idle log; " +
            $"idle heap keeps {result.RetainedOfPeakGrowthPercent:0.0} % of what the active logs added; {result.TransientRetries} creates retried after transient errors"));
    }

    private static void WriteSummary(IAnsiConsole console, BenchmarkReport report)
    {
        var table = Tables.Create("Summary (medians over rounds)", "Workload", ">Woodpecker", ">Limit, same run", ">Result", ">Goal", "Met");
        if (report.Throughput is { } t)
        {
            table.AddTextRow(
                $"throughput, {Units.Bytes(t.EntryBytes)} entries", Units.Rate(t.MedianLogMBps), $"{Units.Rate(t.MedianRawBlockMBps)} (raw {Units.Bytes(t.BlockBytes)})",
                $"{Units.Percent(t.MedianRatio)} of raw", $"≥ {Units.Percent(t.Goal)}", Met(t.GoalMet, t.GoalMet ? "" : $"short by {(t.Goal - t.MedianRatio) * 100:0.0} points"));
        }

        if (report.Latency is { } l)
        {
            table.AddTextRow(
                $"latency p50, {Units.Bytes(l.EntryBytes)} appends", Units.Milliseconds(l.MedianLogP50Ms), $"{Units.Milliseconds(l.MedianRawP50Ms)} (write + fdatasync)",
                $"{SignedMs(l.MedianP50DifferenceMs)} ms", $"≤ +{Ms(l.GoalMs)} ms", Met(l.GoalMet, l.GoalMet ? "" : $"over by {Ms(l.MedianP50DifferenceMs - l.GoalMs)} ms"));
            table.AddTextRow("latency p99 (context)", Units.Milliseconds(l.MedianLogP99Ms), Units.Milliseconds(l.MedianRawP99Ms), $"{SignedMs(l.MedianLogP99Ms - l.MedianRawP99Ms)} ms", "—", "");
            table.AddTextRow("latency p99.9 (context)", Units.Milliseconds(l.MedianLogP999Ms), Units.Milliseconds(l.MedianRawP999Ms), $"{SignedMs(l.MedianLogP999Ms - l.MedianRawP999Ms)} ms", "—", "");
        }

        if (report.IdleLogs is { } i)
        {
            table.AddTextRow(
                $"idle heap, {i.Logs:N0} idle logs", Units.Bytes(i.IdleHeapBytes), $"{Units.Bytes(i.WarmBaselineHeapBytes)} (baseline)",
                string.Create(CultureInfo.InvariantCulture, $"{i.IdleOverBaselinePercent:+0.0;-0.0} % vs baseline"),
                string.Create(CultureInfo.InvariantCulture, $"≤ {i.GoalPercent:0} %"),
                Met(i.GoalMet, i.ActivationsLeft > 0 ? $"{i.ActivationsLeft:N0} activations never went idle" : i.GoalMet ? "" : string.Create(CultureInfo.InvariantCulture, $"over by {i.IdleOverBaselinePercent - i.GoalPercent:0.0} points")));
        }

        console.Write(table);
    }

    private static string Met(bool met, string detail) => met ? "yes" : $"no{(detail.Length > 0 ? $", {detail}" : "")}";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:0.000}");

    private static string SignedMs(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:+0.000;-0.000;0.000}");
}
