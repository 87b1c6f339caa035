using System.Globalization;
using Spectre.Console;
using Woodpecker.Benchmarks;

namespace Woodpecker.Cli.Output;

/// <summary>Prints `wp bench metadata`: per-round figures, then each operation next to the raw etcd round trip, and the roll stall against its goal.</summary>
internal static class MetadataTables
{
    public static void Write(IAnsiConsole console, MetadataResult result)
    {
        console.WriteLine($"etcd: {result.Etcd}");
        var rounds = Tables.Create(
            $"Metadata on etcd, one operation at a time; limit = raw etcd put and txn in the same round (rounds alternate raw, service; p50 in ms)",
            ">Round", ">Raw put", ">Raw txn", ">Create log", ">Open writer", ">Segment create", ">Roll wait", ">Append", ">At roll", ">Rolls", ">Worst at roll", ">Worst ordinary");
        foreach (var round in result.Rounds)
        {
            rounds.AddTextRow(
                round.Round.ToString(CultureInfo.InvariantCulture), Ms(round.RawPut.P50Ms), Ms(round.RawTxn.P50Ms), Ms(round.CreateLog.P50Ms), Ms(round.OpenWriter.P50Ms),
                Ms(round.SegmentCreate.P50Ms), Ms(round.RollWait.P50Ms), Ms(round.AppendAwayFromRoll.P50Ms), Ms(round.AppendAtRoll.P50Ms),
                round.Rolls.ToString(CultureInfo.InvariantCulture), Ms(round.AppendAtRoll.MaxMs), Ms(round.OrdinaryWorstMs));
        }

        console.Write(rounds);

        var rawPut = result.RawPut;
        var summary = Tables.Create(
            "Metadata summary (medians over rounds); round trips = p50 ÷ raw put p50",
            "Operation", ">p50 ms", ">p99 ms", ">ops/s (sequential)", ">Round trips");
        Add(summary, result, "raw etcd put (limit)", rawPut);
        Add(summary, result, "raw etcd txn, one compare (limit)", result.RawTxn);
        Add(summary, result, "create log", result.CreateLog);
        Add(summary, result, "open writer (epoch CAS)", result.OpenWriter);
        Add(summary, result, $"segment roll: metadata txn (every {result.EntriesPerSegment} entries)", result.SegmentCreate);
        Add(summary, result, "segment roll: writer's wait for the next segment", result.RollWait);
        summary.AddTextRow(
            $"append {Units.Bytes(result.EntryBytes)} away from rolls (context)", Ms(result.MedianAppendP50Ms), Ms(result.MedianAppendP99Ms), "", "");
        console.Write(summary);

        // The stall: how much longer the first append in a new segment takes than the median append away from rolls.
        var stall = Tables.Create(
            "Roll stall (medians over rounds); one round trip = raw etcd put in the same rounds; goal: a roll never stalls appends for longer than one",
            "Measure", ">ms", ">Round trips (÷ p50)", ">Goal", "Met");
        stall.AddTextRow(
            "median stall: first append in a new segment − median append", SignedMs(result.MedianStallMs),
            Ratio(result.MedianStallRoundTrips), "≤ 1", result.MedianStallGoalMet ? "PASS" : "FAIL");
        stall.AddTextRow(
            "worst roll wait: longest a roll blocked the writer's append path", Ms(result.WorstRollWaitMs),
            Ratio(result.WorstRollWaitRoundTrips), "≤ 1", result.RollWaitGoalMet ? "PASS" : "FAIL");
        stall.AddTextRow(
            "worst stall: worst first append in a new segment − median append (context)", SignedMs(result.WorstStallMs),
            $"{Ratio(result.WorstStallRoundTrips)} (÷ p99: {Ratio(result.WorstStallP99RoundTrips)})", "—", "");
        stall.AddTextRow(
            $"  noise floor: ordinary appends at the same rank − median append", SignedMs(result.NoiseStallMs), Ratio(result.NoiseStallMs / rawPut.P50Ms), "—", "");
        stall.AddTextRow(
            $"  2nd and 3rd append in a new segment, p50 − median append (old segment's completion runs)", SignedMs(result.AfterRollStallMs),
            Ratio(result.AfterRollStallMs / rawPut.P50Ms), "—", "");
        console.Write(stall);
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"roll stall: {(result.GoalMet ? "PASS" : "FAIL")} — median {result.MedianStallMs:+0.000;-0.000} ms ({result.MedianStallRoundTrips:0.00} round trips), " +
            $"a roll blocked the writer at most {result.WorstRollWaitMs:0.000} ms ({result.WorstRollWaitRoundTrips:0.00}); worst boundary append {result.WorstStallMs:+0.000;-0.000} ms " +
            $"(noise floor {result.NoiseStallMs:+0.000;-0.000} ms); one etcd round trip: p50 {rawPut.P50Ms:0.000} ms, p99 {rawPut.P99Ms:0.000} ms"));
    }

    private static string Ratio(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.00}");

    private static void Add(Table table, MetadataResult result, string name, MetadataFigures figures) =>
        table.AddTextRow(name, Ms(figures.P50Ms), Ms(figures.P99Ms), figures.OpsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"{result.RoundTrips(figures):0.00}"));

    private static string Ms(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:0.000}");

    private static string SignedMs(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms:+0.000;-0.000;0.000}");
}
