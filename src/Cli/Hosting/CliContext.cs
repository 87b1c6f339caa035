using System.CommandLine;
using Woodpecker.Client;

namespace Woodpecker.Cli.Hosting;

/// <summary>What every command shares: the console, the global options, and one way to run with a client and report failures.</summary>
internal sealed class CliContext
{
    /// <summary>Environment variable that changes the default of --data.</summary>
    public const string DataEnvironmentVariable = "WOODPECKER_DATA";

    /// <summary>Environment variable that changes the default of --etcd.</summary>
    public const string EtcdEnvironmentVariable = "WOODPECKER_ETCD";

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
        Etcd = new Option<string?>("--etcd")
        {
            Description = $"Keep metadata in etcd at these client URLs (comma-separated) instead of SQLite in --data (or ${EtcdEnvironmentVariable}).",
            HelpName = "urls",
            Recursive = true,
            DefaultValueFactory = _ => console.Environment(EtcdEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
        };
    }

    public CliConsole Console { get; }

    /// <summary>The global --data option.</summary>
    public Option<string> Data { get; }

    /// <summary>The global --etcd option.</summary>
    public Option<string?> Etcd { get; }

    /// <summary>The etcd endpoints the command line chose (empty: SQLite).</summary>
    public IReadOnlyList<string> EtcdEndpoints(ParseResult result) =>
        (result.GetValue(Etcd) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The data directory the command line chose.</summary>
    public string DataDirectory(ParseResult result) => result.GetValue(Data) ?? DefaultDataDirectory;

    /// <summary>Runs <paramref name="body"/> with a client; any failure becomes one error line and an exit code.</summary>
    public Task<int> RunWithClientAsync(
        ParseResult result, string? logName, Func<WoodpeckerClient, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var factory = new ClientFactory(DataDirectory(result), EtcdEndpoints(result));
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
            return Fail(ex, DataDirectory(result), logName, cancellationToken.IsCancellationRequested);
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
}
