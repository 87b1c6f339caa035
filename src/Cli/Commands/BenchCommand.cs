using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Woodpecker.Benchmarks;
using Woodpecker.Benchmarks.ObjectStorage;
using Woodpecker.Cli.Hosting;
using Woodpecker.Cli.Output;
using Woodpecker.Cli.Parsing;

namespace Woodpecker.Cli.Commands;

/// <summary>
/// `wp bench [throughput|latency|idle-logs|metadata|all]`: runs the benchmark workloads with live progress, then prints
/// each figure next to the limit measured in the same run, the ratio and the goal.
/// </summary>
internal static class BenchCommand
{
    private const string Throughput = "throughput";
    private const string Latency = "latency";
    private const string IdleLogs = "idle-logs";
    private const string Metadata = "metadata";
    private const string Cluster = "cluster";
    private const string All = "all";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create(CliContext context)
    {
        var workload = new Argument<string?>("workload")
        {
            Description = "throughput, latency, idle-logs, metadata, cluster or all (all leaves out metadata and cluster, which need etcd). Default: throughput and latency.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        workload.AcceptOnlyFromAmong(Throughput, Latency, IdleLogs, Metadata, Cluster, All);
        var duration = CliParsers.DurationOption(
            "--duration", "How long each raw run writes; the log run of the round then writes as much. Default 3s for throughput; latency uses --count unless this is given.");
        var size = CliParsers.SizeOption("--size", "Throughput: bytes every run writes (instead of --duration), for example 1GiB.");
        var entrySize = CliParsers.SizeOption("--entry-size", "Throughput: payload bytes per entry. Default 64KiB.");
        var inFlight = CliParsers.SizeOption("--in-flight", "Throughput: payload bytes the writer keeps in flight (issued, not yet durable). Default 64MiB.");
        var count = new Option<int?>("--count") { Description = "Latency: appends per run. Default 5,000. Metadata: operations of each kind per round. Default 100.", HelpName = "N" };
        var rounds = new Option<int>("--rounds") { Description = "Rounds, each raw then log. Default 5.", DefaultValueFactory = _ => 5, HelpName = "N" };
        var logs = new Option<int>("--logs") { Description = "Idle logs: how many logs. Default 10,000. Cluster: logs created across the cluster. Default 100,000.", DefaultValueFactory = _ => 10_000, HelpName = "N" };
        var active = new Option<int>("--active") { Description = "Cluster: logs held active on one silo. Default 10,000.", DefaultValueFactory = _ => 10_000, HelpName = "N" };
        var failovers = new Option<int>("--failovers") { Description = "Cluster: kills of the silo holding a log. Default 3.", DefaultValueFactory = _ => 3, HelpName = "N" };
        var holdActive = new Option<bool>("--hold-active")
        {
            Description = "Idle logs: keep every log active until the peak is measured (needs about 2 open files per log).",
        };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark's files under --data instead of deleting them." };
        var storage = new Option<string>("--storage")
        {
            Description = "local: the disk under --data (default). s3: the S3 store of --s3-bucket/--s3-endpoint, or an s3rver the benchmark starts on loopback " +
                "when none is given; runs append throughput, catch-up read and append latency against raw PUT/GET, with the request rate and its cost.",
            DefaultValueFactory = _ => "local",
            HelpName = "local|s3",
        };
        storage.AcceptOnlyFromAmong("local", "s3");
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file.", HelpName = "file" };
        var command = new Command("bench", "Measure the log against the disk's own limits, in the same run (files go to fresh directories under --data).")
        {
            workload, duration, size, entrySize, inFlight, count, rounds, logs, active, failovers, holdActive, keep, storage, json,
        };
        command.SetAction((result, cancellationToken) => context.RunAsync(result, null, async ct =>
        {
            var which = result.GetValue(workload);
            var parent = context.DataDirectory(result);
            if (result.GetValue(storage) == "s3")
            {
                if (which is IdleLogs)
                {
                    throw CliException.Usage("the idle-logs workload measures memory, not storage; run it without --storage s3.");
                }

                if (which is Metadata)
                {
                    throw CliException.Usage("the metadata workload measures etcd, not storage; run it without --storage s3.");
                }

                var objectStorageOptions = new ObjectStorageOptions
                {
                    DataParent = parent,
                    Keep = result.GetValue(keep),
                    Store = context.S3Options(result),
                    Rounds = result.GetResult(rounds) is { Implicit: false } ? result.GetValue(rounds) : 3, // each S3 round runs four phases
                    EntryBytes = ToInt(result.GetValue(entrySize) ?? 64 * 1024, "--entry-size"),
                    Duration = result.GetValue(duration) ?? TimeSpan.FromSeconds(3),
                    MaxInFlightBytes = result.GetValue(inFlight) ?? 64L * 1024 * 1024,
                    LatencyCount = result.GetValue(count) ?? 40,
                };
                Validate(true, objectStorageOptions.Validate);
                var s3Report = new BenchmarkReport { StartedAt = DateTimeOffset.UtcNow, Machine = MachineInfo.Current(parent) };
                await WithProgressAsync(context, async progress =>
                    s3Report = s3Report with { ObjectStorage = await ObjectStorageBenchmark.RunAsync(objectStorageOptions, progress, ct) });
                return await WriteAsync(context, s3Report, result.GetValue(json), ct);
            }

            if (which is Cluster)
            {
                var clusterOptions = new Benchmarks.Cluster.ClusterBenchmarkOptions
                {
                    DataParent = parent,
                    Keep = result.GetValue(keep),
                    EtcdEndpoints = [.. context.EtcdEndpoints(result)],
                    Rounds = result.GetResult(rounds) is { Implicit: false } ? result.GetValue(rounds) : 3,
                    Logs = result.GetResult(logs) is { Implicit: false } ? result.GetValue(logs) : 100_000,
                    ActiveLogs = result.GetValue(active),
                    Failovers = result.GetValue(failovers),
                    LatencyAppends = result.GetValue(count) ?? 1_000,
                };
                if (clusterOptions.ActiveLogs > clusterOptions.Logs)
                {
                    clusterOptions.ActiveLogs = clusterOptions.Logs / 3;
                }

                Validate(true, clusterOptions.Validate);
                RequireEtcd(clusterOptions.EtcdEndpoints, "cluster");
                var clusterReport = new BenchmarkReport { StartedAt = DateTimeOffset.UtcNow, Machine = MachineInfo.Current(parent) };
                await WithProgressAsync(context, async progress =>
                    clusterReport = clusterReport with { Cluster = await Benchmarks.Cluster.ClusterBenchmark.RunAsync(clusterOptions, progress, ct) });
                return await WriteAsync(context, clusterReport, result.GetValue(json), ct);
            }

            var runThroughput = which is null or Throughput or All;
            var runLatency = which is null or Latency or All;
            var runIdle = which is IdleLogs or All;
            var runMetadata = which is Metadata;

            var throughputOptions = new ThroughputOptions
            {
                DataParent = parent,
                Keep = result.GetValue(keep),
                Rounds = result.GetValue(rounds),
                EntryBytes = ToInt(result.GetValue(entrySize) ?? 64 * 1024, "--entry-size"),
                TotalBytes = result.GetValue(size),
                Duration = result.GetValue(duration) ?? TimeSpan.FromSeconds(3),
                MaxInFlightBytes = result.GetValue(inFlight) ?? 64L * 1024 * 1024,
            };
            var latencyOptions = new LatencyOptions
            {
                DataParent = parent,
                Keep = result.GetValue(keep),
                Rounds = result.GetValue(rounds),
                Count = result.GetValue(count) ?? 5_000,
                Duration = result.GetValue(duration),
            };
            var idleOptions = new IdleLogsOptions { DataParent = parent, Keep = result.GetValue(keep), Logs = result.GetValue(logs), HoldActiveUntilPeak = result.GetValue(holdActive) };
            Validate(runThroughput, throughputOptions.Validate);
            Validate(runLatency, latencyOptions.Validate);
            Validate(runIdle, idleOptions.Validate);
            var metadataOptions = runMetadata ? CreateMetadataOptions(context, result, parent, result.GetValue(keep), result.GetValue(rounds), result.GetValue(count)) : null;

            var report = new BenchmarkReport { StartedAt = DateTimeOffset.UtcNow, Machine = MachineInfo.Current(parent) };
            await WithProgressAsync(context, async progress =>
                {

                    // Idle memory first: the throughput run leaves tens of MiB in buffer pools that the runtime trims
                    // only later, which would hide what the idle logs themselves hold.
                    if (runIdle)
                    {
                        report = report with { IdleLogs = await IdleLogsBenchmark.RunAsync(idleOptions, progress, ct) };
                    }

                    if (runThroughput)
                    {
                        report = report with { Throughput = await ThroughputBenchmark.RunAsync(throughputOptions, progress, ct) };
                    }

                    if (runLatency)
                    {
                        report = report with { Latency = await LatencyBenchmark.RunAsync(latencyOptions, progress, ct) };
                    }

                    if (metadataOptions is not null)
                    {
                        report = report with { Metadata = await MetadataBenchmark.RunAsync(metadataOptions, progress, ct) };
                    }

                });

            return await WriteAsync(context, report, result.GetValue(json), ct);
        }, cancellationToken));
        return command;
    }

    /// <summary>Runs <paramref name="body"/> under a live progress display (one bar per benchmark phase).</summary>
    private static Task WithProgressAsync(CliContext context, Func<IProgress<BenchmarkProgress>, Task> body) =>
        context.Console.Ansi.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(progressContext => body(new SpectreBenchmarkProgress(progressContext)));

    private static async Task<int> WriteAsync(CliContext context, BenchmarkReport report, string? jsonFile, CancellationToken cancellationToken)
    {
        BenchmarkTables.Write(context.Console.Ansi, report);
        if (jsonFile is { Length: > 0 })
        {
            await File.WriteAllTextAsync(jsonFile, JsonSerializer.Serialize(report, Json), cancellationToken);
            context.Console.Out.WriteLine($"results written to {jsonFile}");
        }

        return ExitCodes.Ok;
    }

    private static void Validate(bool run, Action validate)
    {
        if (!run)
        {
            return;
        }

        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    /// <summary>The metadata workload's options: etcd from --etcd (or a temporary etcd the benchmark starts, which must be installed).</summary>
    private static MetadataOptions CreateMetadataOptions(CliContext context, ParseResult result, string parent, bool keep, int rounds, int? count)
    {
        var options = new MetadataOptions { DataParent = parent, Keep = keep, EtcdEndpoints = context.EtcdEndpoints(result), Rounds = rounds };
        options.Count = count ?? options.Count;
        Validate(true, options.Validate);
        RequireEtcd(options.EtcdEndpoints, "metadata");
        return options;
    }

    /// <summary>Without --etcd, the workload starts its own etcd, which must be installed.</summary>
    private static void RequireEtcd(IEnumerable<string> endpoints, string workload)
    {
        if (endpoints.Any())
        {
            return;
        }

        try
        {
            Woodpecker.TestingHost.EtcdServer.FindBinary();
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException($"bench {workload} needs a real etcd: pass --etcd <urls> (or ${CliContext.EtcdEnvironmentVariable}), or install etcd so the benchmark can start one. {ex.Message}");
        }
    }

    private static int ToInt(long value, string option) =>
        value is > 0 and <= int.MaxValue ? (int)value : throw CliException.Usage($"{option} must be between 1 byte and 8 MiB.");
}
