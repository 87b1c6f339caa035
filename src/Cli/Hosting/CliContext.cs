using System.CommandLine;
using Woodpecker.Client;
using Woodpecker.Storage.S3;

namespace Woodpecker.Cli.Hosting;

/// <summary>What every command shares: the console, the global options, and one way to run with a client and report failures.</summary>
internal sealed class CliContext
{
    /// <summary>Environment variable that changes the default of --data.</summary>
    public const string DataEnvironmentVariable = "WOODPECKER_DATA";

    /// <summary>Environment variable that changes the default of --cluster.</summary>
    public const string ClusterEnvironmentVariable = "WOODPECKER_CLUSTER";

    /// <summary>Environment variable that changes the default of --etcd.</summary>
    public const string EtcdEnvironmentVariable = "WOODPECKER_ETCD";

    /// <summary>Environment variable that changes the default of --s3-bucket.</summary>
    public const string S3BucketEnvironmentVariable = "WOODPECKER_S3_BUCKET";

    /// <summary>Environment variable that changes the default of --s3-endpoint.</summary>
    public const string S3EndpointEnvironmentVariable = "WOODPECKER_S3_ENDPOINT";

    /// <summary>Environment variable that changes the default of --s3-prefix.</summary>
    public const string S3PrefixEnvironmentVariable = "WOODPECKER_S3_PREFIX";

    /// <summary>Default of --data when the environment variable is not set.</summary>
    public const string DefaultDataDirectory = "./data";

    public CliContext(CliConsole console)
    {
        Console = console;
        Data = new Option<string>("--data")
        {
            Description = $"Data directory of the embedded service (default {DefaultDataDirectory}, or ${DataEnvironmentVariable} when set).",
            HelpName = "dir",
            Recursive = true,
            DefaultValueFactory = _ => console.Environment(DataEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultDataDirectory,
        };
        Cluster = new Option<string?>("--cluster")
        {
            Description = $"Connect to a running cluster through these silo URLs (comma-separated, e.g. http://silo1:7400) instead of starting " +
                $"the embedded service; --data, --etcd and --s3-* are then not used (or ${ClusterEnvironmentVariable}).",
            HelpName = "urls",
            Recursive = true,
            DefaultValueFactory = _ => FromEnvironment(console, ClusterEnvironmentVariable),
        };
        Etcd = new Option<string?>("--etcd")
        {
            Description = $"Keep metadata in etcd at these client URLs (comma-separated) instead of SQLite in --data (or ${EtcdEnvironmentVariable}).",
            HelpName = "urls",
            Recursive = true,
            DefaultValueFactory = _ => console.Environment(EtcdEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
        };
        S3Bucket = new Option<string?>("--s3-bucket")
        {
            Description = $"Keep segments in this S3 bucket instead of under --data (or ${S3BucketEnvironmentVariable}). " +
                "Credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS SDK's default chain; the region from AWS_REGION.",
            HelpName = "bucket",
            Recursive = true,
            DefaultValueFactory = _ => FromEnvironment(console, S3BucketEnvironmentVariable),
        };
        S3Endpoint = new Option<string?>("--s3-endpoint")
        {
            Description = $"URL of an S3-compatible store (MinIO, s3rver, ...) instead of AWS S3; path-style addressing (or ${S3EndpointEnvironmentVariable}).",
            HelpName = "url",
            Recursive = true,
            DefaultValueFactory = _ => FromEnvironment(console, S3EndpointEnvironmentVariable),
        };
        S3Prefix = new Option<string?>("--s3-prefix")
        {
            Description = $"Prefix of every object key in the bucket (default woodpecker, or ${S3PrefixEnvironmentVariable}).",
            HelpName = "prefix",
            Recursive = true,
            DefaultValueFactory = _ => FromEnvironment(console, S3PrefixEnvironmentVariable),
        };
        S3CreateBucket = new Option<bool>("--s3-create-bucket")
        {
            Description = "Create the --s3-bucket when it does not exist.",
            Recursive = true,
        };
        _awsRegion = FromEnvironment(console, "AWS_REGION") ?? FromEnvironment(console, "AWS_DEFAULT_REGION");
    }

    private readonly string? _awsRegion;

    public CliConsole Console { get; }

    /// <summary>The global --s3-bucket option.</summary>
    public Option<string?> S3Bucket { get; }

    /// <summary>The global --s3-endpoint option.</summary>
    public Option<string?> S3Endpoint { get; }

    /// <summary>The global --s3-prefix option.</summary>
    public Option<string?> S3Prefix { get; }

    /// <summary>The global --s3-create-bucket option.</summary>
    public Option<bool> S3CreateBucket { get; }

    /// <summary>
    /// The S3 storage the command line chose, or null to keep segments under --data. Credentials are never taken
    /// from the command line (they would show in the process list and shell history): the AWS SDK reads them.
    /// </summary>
    public S3StorageOptions? S3Options(ParseResult result)
    {
        var bucket = result.GetValue(S3Bucket);
        var endpoint = result.GetValue(S3Endpoint);
        if (bucket is not { Length: > 0 })
        {
            return endpoint is { Length: > 0 }
                ? throw CliException.Usage($"--s3-endpoint needs --s3-bucket (or ${S3BucketEnvironmentVariable}): which bucket at {endpoint}?")
                : null;
        }

        var options = new S3StorageOptions
        {
            Bucket = bucket,
            ServiceUrl = endpoint is { Length: > 0 } ? endpoint : null,
            KeyPrefix = result.GetValue(S3Prefix) is { Length: > 0 } prefix ? prefix : "woodpecker",
            Region = _awsRegion ?? "us-east-1",
            CreateBucketIfMissing = result.GetValue(S3CreateBucket),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage(ex.Message.Split(" (Parameter", 2)[0]);
        }

        return options;
    }

    /// <summary>The global --data option.</summary>
    public Option<string> Data { get; }

    /// <summary>The global --etcd option.</summary>
    public Option<string?> Etcd { get; }

    /// <summary>The global --cluster option.</summary>
    public Option<string?> Cluster { get; }

    /// <summary>The cluster gateways the command line chose (empty: the embedded service).</summary>
    public IReadOnlyList<string> ClusterGateways(ParseResult result) =>
        (result.GetValue(Cluster) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Where the logs live, for messages: the cluster's URLs, or the data directory.</summary>
    public string Location(ParseResult result) =>
        ClusterGateways(result) is { Count: > 0 } gateways ? $"the cluster at {string.Join(',', gateways)}" : DataDirectory(result);

    /// <summary>The etcd endpoints the command line chose (empty: SQLite).</summary>
    public IReadOnlyList<string> EtcdEndpoints(ParseResult result) =>
        (result.GetValue(Etcd) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The data directory the command line chose.</summary>
    public string DataDirectory(ParseResult result) => result.GetValue(Data) ?? DefaultDataDirectory;

    /// <summary>Runs <paramref name="body"/> with a client; any failure becomes one error line and an exit code.</summary>
    public Task<int> RunWithClientAsync(
        ParseResult result, string? logName, Func<WoodpeckerClient, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var gateways = ClusterGateways(result);
        var factory = gateways.Count > 0
            ? new ClientFactory(gateways)
            : new ClientFactory(DataDirectory(result), EtcdEndpoints(result), S3Options(result));
        return RunAsync(result, logName, async ct =>
        {
            await using var client = await factory.CreateAsync(ct);
            return await body(client, ct);
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/>; any failure becomes one error line and an exit code.</summary>
    public async Task<int> RunAsync(ParseResult result, string? logName, Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken);
        }
        catch (Exception ex)
        {
            return Fail(ex, Location(result), logName, cancellationToken.IsCancellationRequested);
        }
    }

    /// <summary>Writes the error line for <paramref name="error"/> and returns the exit code.</summary>
    public int Fail(Exception error, string dataDirectory, string? logName, bool cancelled)
    {
        var (message, exitCode) = ErrorReporter.Describe(error, dataDirectory, logName, cancelled);
        Console.Out.Flush();
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }

    private static string? FromEnvironment(CliConsole console, string name) =>
        console.Environment(name) is { Length: > 0 } value ? value : null;
}
