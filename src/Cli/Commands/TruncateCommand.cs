using System.CommandLine;
using Woodpecker.Cli.Hosting;
using Woodpecker.Cli.Parsing;

namespace Woodpecker.Cli.Commands;

/// <summary>`wp truncate &lt;log&gt; &lt;SEG:ENTRY&gt;`: drops entries up to a position, inclusive.</summary>
internal static class TruncateCommand
{
    public static Command Create(CliContext context)
    {
        var log = new Argument<string>("log") { Description = "The log to truncate." };
        var upTo = CliParsers.PositionArgument("position", "Truncate up to this position, inclusive.");
        var command = new Command("truncate", "Truncate a log up to a position, inclusive: readers can no longer start at or below it.") { log, upTo };
        command.SetAction((result, cancellationToken) =>
        {
            var logName = result.GetRequiredValue(log);
            return context.RunWithClientAsync(result, logName, async (client, ct) =>
            {
                var handle = await client.OpenLogAsync(logName, ct);
                var inForce = await handle.TruncateAsync(result.GetValue(upTo), ct);
                context.Console.Out.WriteLine($"log '{logName}' is truncated up to {inForce} (inclusive)");
                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }
}
