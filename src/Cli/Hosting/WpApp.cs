using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Woodpecker.Cli.Commands;

namespace Woodpecker.Cli.Hosting;

/// <summary>Builds the `wp` command tree and runs one command line.</summary>
internal static class WpApp
{
    /// <summary>The full command tree, bound to <paramref name="console"/>.</summary>
    public static RootCommand Build(CliConsole console)
    {
        var context = new CliContext(console);
        var root = new RootCommand("wp: the Woodpecker durable log service from the command line (embedded mode: everything lives in --data).");
        root.Options.Add(context.Data);
        root.Options.Add(context.Cluster);
        root.Options.Add(context.Etcd);
        root.Options.Add(context.S3Bucket);
        root.Options.Add(context.S3Endpoint);
        root.Options.Add(context.S3Prefix);
        root.Options.Add(context.S3CreateBucket);
        root.Subcommands.Add(LogCommands.Create(context));
        root.Subcommands.Add(AppendCommand.Create(context));
        root.Subcommands.Add(ReadCommand.Create(context));
        root.Subcommands.Add(TruncateCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 ok, 1 error, 2 bad usage).</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var result = Build(console).Parse(args);
        if (result.Action is ParseErrorAction)
        {
            // One line: the first problem and where to read about usage.
            console.Error.WriteLine($"error: {result.Errors[0].Message} Run '{CommandPath(result.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await result.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception ex)
        {
            // Commands report their own failures; this is the net under the net.
            var (message, exitCode) = ErrorReporter.Describe(ex, result.GetValue<string>("--data") ?? CliContext.DefaultDataDirectory, null, cancellationToken.IsCancellationRequested);
            console.Error.WriteLine($"error: {message}");
            return exitCode;
        }
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? at = command; at is CommandResult current; at = current.Parent)
        {
            names.Add(current.Command is RootCommand ? "wp" : current.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
