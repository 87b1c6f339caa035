using System.CommandLine;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading.Channels;
using Woodpecker.Cli.Hosting;
using Woodpecker.Client;
using Woodpecker.Errors;

namespace Woodpecker.Cli.Commands;

/// <summary>
/// `wp append &lt;log&gt; [values...]`: appends each value (or each stdin line) as a UTF-8 entry and prints each
/// entry's position in order. Appends are pipelined: the next is issued before the previous is durable.
/// </summary>
internal static class AppendCommand
{
    // Appends issued but not yet printed; bounds memory when stdin is faster than the disk.
    private const int Window = 8192;

    public static Command Create(CliContext context)
    {
        var log = new Argument<string>("log") { Description = "The log to append to." };
        var values = new Argument<string[]>("values")
        {
            Description = "Entries to append (UTF-8). Without any, each line of standard input is appended.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var properties = new Option<string[]>("--property", "-p")
        {
            Description = "A property key=value attached to every entry (repeatable).",
            HelpName = "key=value",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("append", "Append entries and print their positions (SEG:ENTRY), one per line.") { log, values, properties };
        command.SetAction((result, cancellationToken) =>
        {
            var logName = result.GetRequiredValue(log);
            return context.RunWithClientAsync(result, logName, async (client, ct) =>
            {
                var props = ParseProperties(result.GetValue(properties) ?? []);
                var arguments = result.GetValue(values) ?? [];
                var handle = await client.OpenLogAsync(logName, ct);
                await using var writer = await handle.OpenWriterAsync(cancellationToken: ct);
                if (arguments.Length == 0 && context.Console.InputIsTerminal)
                {
                    await context.Console.Error.WriteLineAsync("reading entries from standard input, one per line; end with Ctrl+D");
                }

                var source = arguments.Length > 0
                    ? arguments.Select(Encoding.UTF8.GetBytes).ToAsyncEnumerable()
                    : FromLines(context.Console.In, ct);
                await AppendAllAsync(writer, source, props, context.Console.Out, ct);
                await writer.CloseAsync(ct);
                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>Parses "key=value" pairs; a malformed one is a usage error.</summary>
    public static Dictionary<string, string>? ParseProperties(IReadOnlyList<string> pairs)
    {
        if (pairs.Count == 0)
        {
            return null;
        }

        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw CliException.Usage($"--property '{pair}' is not key=value; write it like --property source=sensor-7.");
            }

            parsed[pair[..equals]] = pair[(equals + 1)..];
        }

        return parsed;
    }

    /// <summary>
    /// Appends every payload without waiting for the previous one, and prints the positions in order as they
    /// become durable. On the first failure it stops issuing, prints what did become durable, and rethrows.
    /// </summary>
    private static async Task AppendAllAsync(
        LogWriter writer, IAsyncEnumerable<byte[]> payloads, IReadOnlyDictionary<string, string>? properties, TextWriter output, CancellationToken cancellationToken)
    {
        var pending = Channel.CreateBounded<Task<LogPosition>>(new BoundedChannelOptions(Window) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var printer = PrintPositionsAsync(pending.Reader, output, stop);
        ExceptionDispatchInfo? issueFailure = null;
        try
        {
            var number = 0;
            await foreach (var payload in payloads.WithCancellation(stop.Token))
            {
                number++;
                Task<LogPosition> append;
                try
                {
                    append = writer.AppendAsync(payload, properties, stop.Token);
                }
                catch (InvalidPayloadException ex)
                {
                    throw new CliException($"entry {number} was not appended: {ex.Message}", ex);
                }

                await pending.Writer.WriteAsync(append, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The printer met a failed append and stopped us; it reports the failure.
        }
        catch (Exception ex)
        {
            issueFailure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            pending.Writer.TryComplete();
        }

        await printer;
        issueFailure?.Throw();
    }

    private static async Task PrintPositionsAsync(ChannelReader<Task<LogPosition>> pending, TextWriter output, CancellationTokenSource stop)
    {
        var lines = new StringBuilder();
        try
        {
            while (await pending.WaitToReadAsync())
            {
                while (pending.TryRead(out var append))
                {
                    LogPosition position;
                    try
                    {
                        position = await append;
                    }
                    catch
                    {
                        await stop.CancelAsync();
                        throw;
                    }

                    lines.Append(position.ToString()).Append('\n');
                    if (lines.Length >= 64 * 1024)
                    {
                        await Flush(lines, output);
                    }
                }

                // Nothing else is ready: show what is durable now rather than when the buffer fills.
                await Flush(lines, output);
            }
        }
        finally
        {
            await Flush(lines, output);
        }
    }

    private static async Task Flush(StringBuilder lines, TextWriter output)
    {
        if (lines.Length > 0)
        {
            await output.WriteAsync(lines.ToString());
            await output.FlushAsync();
            lines.Clear();
        }
    }


    private static async IAsyncEnumerable<byte[]> FromLines(TextReader input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return Encoding.UTF8.GetBytes(line);
        }
    }
}
