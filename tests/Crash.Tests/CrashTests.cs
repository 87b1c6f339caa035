using System.Diagnostics;
using System.Globalization;
using Woodpecker.TestingHost;
using Xunit;
using Xunit.Abstractions;

namespace Woodpecker.Crash.Tests;

/// <summary>
/// Kills a child process that writes a log (tests/CrashWriter) with kill -9, over and over in one data directory,
/// and checks after each crash that every acknowledged entry is still there, in order, at its acknowledged position,
/// with no gap, duplicate or corrupt payload (DESIGN.md section 5, rule 1). Set WOODPECKER_CRASH_SEED to replay a
/// seed's choices (timing still varies) and WOODPECKER_CRASH_KEEP=1 to keep the data directories.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashTests
{
    private const string LogName = "crash-log";
    private const int TrialsPerVariant = 12;
    private const long SmallSegmentRollBytes = 256 * 1024;

    /// <summary>A variant starts no new trial after this long (a trial takes one to three seconds).</summary>
    private static readonly TimeSpan VariantBudget = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;

    public CrashTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public Task Repeated_kill_9_loses_no_acknowledged_entry_with_default_segments() =>
        RunRepeatedCrashesAsync("default segments", segmentRollBytes: null);

    [Fact]
    public Task Repeated_kill_9_loses_no_acknowledged_entry_with_256_KiB_segments_rolling_all_the_time() =>
        RunRepeatedCrashesAsync("256 KiB segments", SmallSegmentRollBytes);

    [Fact]
    public async Task Repeated_kill_9_loses_no_acknowledged_entry_on_S3_with_256_KiB_segments()
    {
        // Segments in a real S3-protocol server (s3rver); metadata in the data directory as usual.
        await using var s3rver = await S3rverServer.StartAsync();
        var target = new S3Target(s3rver.Endpoint, "crash-tests", "crash", S3rverServer.AccessKey, S3rverServer.SecretKey);
        await RunRepeatedCrashesAsync("S3, 256 KiB segments", SmallSegmentRollBytes, target);
    }

    [Fact]
    public async Task Two_consecutive_crashes_without_a_reader_in_between_lose_no_acknowledged_entry()
    {
        var seed = NewSeed();
        var random = new Random(seed);
        using var dir = new TempDirectory();
        var expected = new ExpectedLog(LogName);
        for (var round = 1; round <= 3; round++)
        {
            var roll = round == 2 ? (long?)null : SmallSegmentRollBytes;
            for (var crash = 1; crash <= 2; crash++)
            {
                var moment = crash == 1 ? KillMoment.AfterAcks : (KillMoment)random.Next(4);
                await CrashOnceAsync(dir.Path, expected, random, roll, KillPlan.Random(random, moment), Context(seed, "double crash", round, $"crash {crash}"));
            }

            await VerifyAsync(dir.Path, expected, roll, Context(seed, "double crash", round, "after two crashes"));
        }
    }

    [Fact]
    public async Task A_crash_right_after_creation_leaves_a_readable_empty_or_short_log()
    {
        var seed = NewSeed();
        var random = new Random(seed);

        // Killed as soon as READY: the log was created and its writer opened; at most a few unacknowledged appends.
        for (var trial = 1; trial <= 4; trial++)
        {
            using var dir = new TempDirectory();
            var expected = new ExpectedLog(LogName);
            var roll = trial % 2 == 0 ? SmallSegmentRollBytes : (long?)null;
            var context = Context(seed, "crash on READY in a new directory", trial, "");
            await CrashOnceAsync(dir.Path, expected, random, roll, new KillPlan(KillMoment.OnReady, 0), context);
            var stored = await VerifyAsync(dir.Path, expected, roll, context);
            Assert.True(stored.StoredEntries <= 100_000, $"{context}: {stored.StoredEntries} entries after a crash on READY");
        }

        // Killed while the silo starts, the log is created or the writer opens; then a new writer must carry on.
        for (var trial = 1; trial <= 3; trial++)
        {
            using var dir = new TempDirectory();
            var expected = new ExpectedLog(LogName);
            var context = Context(seed, "crash during creation in a new directory", trial, "");
            await CrashOnceAsync(dir.Path, expected, random, null, KillPlan.Random(random, KillMoment.DuringStartup), context);
            await VerifyAsync(dir.Path, expected, null, context);
            await CrashOnceAsync(dir.Path, expected, random, null, new KillPlan(KillMoment.AfterAcks, 50), context + ", restarted");
            await VerifyAsync(dir.Path, expected, null, context + ", restarted");
            Assert.True(expected.Acknowledged > 0, $"{context}: the restarted writer acknowledged nothing");
        }
    }

    private async Task RunRepeatedCrashesAsync(string variant, long? segmentRollBytes, S3Target? s3 = null)
    {
        var seed = NewSeed();
        var random = new Random(seed);
        using var dir = new TempDirectory();
        var expected = new ExpectedLog(LogName);
        var clock = Stopwatch.StartNew();
        var offset = random.Next(4);
        var trials = 0;
        for (var trial = 1; trial <= TrialsPerVariant; trial++)
        {
            if (clock.Elapsed > VariantBudget)
            {
                _output.WriteLine($"{variant}: time budget of {VariantBudget.TotalSeconds} s spent; stopping after {trials} trials");
                break;
            }

            // Every kill moment comes up in turn, so each run crashes during startup, on READY and mid-stream.
            var moment = (KillMoment)((trial + offset) % 4);
            var context = Context(seed, variant, trial, "");
            await CrashOnceAsync(dir.Path, expected, random, segmentRollBytes, KillPlan.Random(random, moment), context, s3);
            await VerifyAsync(dir.Path, expected, segmentRollBytes, context, s3);
            trials++;
        }

        _output.WriteLine($"{variant}: {trials} trials in {clock.Elapsed.TotalSeconds:F1} s, {expected.Acknowledged} acknowledged entries, "
            + $"highest seq {expected.HighestAcknowledged}; seed {seed}");
        Assert.True(trials >= 3, $"only {trials} trials ran within the time budget (seed {seed})");
    }

    /// <summary>Starts a crash writer, kills it with SIGKILL at the planned moment and checks its output.</summary>
    private async Task CrashOnceAsync(
        string dataDirectory, ExpectedLog expected, Random random, long? segmentRollBytes, KillPlan plan, string context, S3Target? s3 = null)
    {
        var settings = RandomSettings(random, segmentRollBytes) with { S3 = s3 };
        using var child = CrashWriterProcess.Start(dataDirectory, LogName, settings);
        int exitCode;
        try
        {
            exitCode = await plan.KillAtMomentAsync(child);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Assert.Fail($"{context}: {plan}: {ex.Message}\nsettings: {settings}");
            throw;
        }

        if (exitCode != CrashWriterProcess.KilledBySigkill)
        {
            Assert.Fail($"{context}: {plan}: the child's exit code is {exitCode}, not {CrashWriterProcess.KilledBySigkill} (killed by SIGKILL)\n"
                + $"settings: {settings}\n{child.Describe()}");
        }

        var problems = expected.RecordChild(context, child);
        if (problems.Count > 0)
        {
            Assert.Fail($"{context}: {plan}: the child's output shows lost or misplaced entries.\nFirst discrepancy: {problems[0]}\n"
                + $"All {problems.Count}:\n  {string.Join("\n  ", problems.Take(12))}\nsettings: {settings}\n{child.Describe()}");
        }

        _output.WriteLine($"{context}: {plan}: READY {child.ReadyNext?.ToString(CultureInfo.InvariantCulture) ?? "-"}, {child.AckCount} acks"
            + (child.Acks is [.., var lastAck] ? $" (last ACK {lastAck.Sequence} {lastAck.Position})" : "") + $"; {settings}");
    }

    private async Task<Verification> VerifyAsync(string dataDirectory, ExpectedLog expected, long? segmentRollBytes, string context, S3Target? s3 = null)
    {
        var result = await expected.VerifyAsync(dataDirectory, context, segmentRollBytes, VerifyTimeout, s3);
        if (!result.Ok)
        {
            Assert.Fail($"{context}: the log read back after the crash breaks the durability rules.\nFirst discrepancy: {result.Problems[0]}\n"
                + $"All {result.ProblemCount} (first {result.Problems.Count}):\n  {string.Join("\n  ", result.Problems)}\n"
                + $"{result.StoredEntries} entries stored, last at {result.LastPosition}; {expected.Acknowledged} acknowledged so far, highest seq {expected.HighestAcknowledged}");
        }

        _output.WriteLine($"{context}: verified {result.StoredEntries} entries, last at {result.LastPosition?.ToString() ?? "-"}");
        return result;
    }

    private static CrashWriterSettings RandomSettings(Random random, long? segmentRollBytes)
    {
        var (min, max) = random.Next(10) switch
        {
            < 6 => (16, 2048),
            < 8 => (16, 128),
            _ => (1024, 64 * 1024),
        };
        int[] inFlight = [1, 4, 32, 64, 256];
        var block = random.Next(10) switch
        {
            < 3 => 4096,
            < 5 => 64 * 1024,
            _ => (int?)null,
        };
        return new CrashWriterSettings(min, max, inFlight[random.Next(inFlight.Length)], segmentRollBytes, block, random.Next(2) == 0, random.Next());
    }

    private int NewSeed()
    {
        var fixedSeed = Environment.GetEnvironmentVariable("WOODPECKER_CRASH_SEED");
        var seed = int.TryParse(fixedSeed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : Random.Shared.Next();
        _output.WriteLine($"seed {seed} (replay the same choices with WOODPECKER_CRASH_SEED={seed})");
        return seed;
    }

    private static string Context(int seed, string variant, int trial, string step) =>
        $"[seed {seed}, {variant}, trial {trial}{(step.Length == 0 ? "" : ", " + step)}]";
}

/// <summary>The crash tests run one at a time: each drives a disk-heavy child process and times its kill.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "crash tests (child processes, run alone)";
}
