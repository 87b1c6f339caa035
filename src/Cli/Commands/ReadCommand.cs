using System.CommandLine;
using System.Text;
using Woodpecker.Cli.Hosting;
using Woodpecker.Cli.Output;
using Woodpecker.Cli.Parsing;
using Woodpecker.Client;

namespace Woodpecker.Cli.Commands;

/// <summary>
/// `wp read &lt;log&gt;`: prints entries as "SEG:ENTRY&lt;TAB&gt;payload" lines from a start position, to the end of the
/// log or, with --follow, until Ctrl+C.
/// </summary>
internal static class ReadCommand
{
    public static Command Create(CliContext context)
    {
        var log = new Argument<string>("log") { Description = "The log to read." };
        var from = CliParsers.ReadStartOption("--from", "Where to start: earliest (default), latest (only new entries) or SEG:ENTRY (inclusive).");
        var follow = new Option<bool>("--follow", "-f") { Description = "After the end, keep printing new entries as they become durable, until Ctrl+C." };
        var max = new Option<long?>("--max") { Description = "Stop after this many entries.", HelpName = "N" };
        max.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is <= 0)
            {
                result.AddError("--max must be a positive number of entries.");
            }
        });
        var format = new Option<EntryFormat>("--format")
        {
            Description = "text (UTF-8, control characters shown as '?'), hex, or json (one object per line).",
            DefaultValueFactory = _ => EntryFormat.Text,
        };
        var command = new Command("read", "Print entries as SEG:ENTRY<TAB>payload lines.") { log, from, follow, max, format };
        command.SetAction((result, cancellationToken) =>
        {
            var logName = result.GetRequiredValue(log);
            return context.RunWithClientAsync(result, logName, (client, ct) => ReadAsync(
                context.Console.Out, client, logName, result.GetValue(from), result.GetValue(follow), result.GetValue(max), result.GetValue(format), ct), cancellationToken);
        });
        return command;
    }

    private static async Task<int> ReadAsync(
        TextWriter output, WoodpeckerClient client, string logName, ReadStart from, bool follow, long? max, EntryFormat format, CancellationToken cancellationToken)
    {
        var handle = await client.OpenLogAsync(logName, cancellationToken);
        await using var reader = await handle.OpenReaderAsync(from, new LogReaderOptions { Follow = follow }, cancellationToken);
        var formatter = new EntryFormatter(format);
        var lines = new StringBuilder();
        long printed = 0;
        try
        {
            await foreach (var batch in reader.ReadBatchesAsync(cancellationToken))
            {
                foreach (var message in batch)
                {
                    formatter.Append(lines, message);
                    if (++printed == max)
                    {
                        break;
                    }
                }

                // One write per batch: cheap when catching up, prompt when following.
                await output.WriteAsync(lines.ToString());
                await output.FlushAsync(CancellationToken.None);
                lines.Clear();
                if (printed == max)
                {
                    break;
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a follower stops: a clean end, not an error.
            await output.WriteAsync(lines.ToString());
            await output.FlushAsync(CancellationToken.None);
        }

        return ExitCodes.Ok;
    }
}
