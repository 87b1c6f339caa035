using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Woodpecker.Cli.Hosting;
using Woodpecker.Client;
using Woodpecker.Errors;

namespace Woodpecker.Cli.Commands;

/// <summary>
/// `wp demo`: the main job on the embedded default, for a new user. Creates (or reuses) the log "demo", starts a
/// tail reader at its end, appends entries, and shows that the reader saw every one of them as it became durable.
/// </summary>
internal static class DemoCommand
{
    private const string LogName = "demo";
    private static readonly TimeSpan TailTimeout = TimeSpan.FromSeconds(30);

    public static Command Create(CliContext context)
    {
        var count = new Option<int>("--count") { Description = "Entries to append. Default 1,000.", DefaultValueFactory = _ => 1_000, HelpName = "N" };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--count must be a positive number of entries.");
            }
        });
        var command = new Command("demo", "Append to the log 'demo' while a tail reader follows it, and show what the reader saw.") { count };
        command.SetAction((result, cancellationToken) => context.RunWithClientAsync(
            result, LogName, (client, ct) => RunAsync(context.Console.Ansi, client, context.Location(result), result.GetValue(count), ct), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(IAnsiConsole console, WoodpeckerClient client, string location, int count, CancellationToken cancellationToken)
    {
        var where = client.EmbeddedSilo is null ? location : $"embedded service in {Path.GetFullPath(location)}";
        console.MarkupLine($"[bold]Woodpecker demo[/] — [blue]{Markup.Escape(where)}[/]");
        var (log, created) = await CreateOrOpenAsync(client, cancellationToken);
        var lastBefore = await log.GetLastPositionAsync(cancellationToken);
        console.MarkupLine(created
            ? $"1. created log [green]{LogName}[/] (id {log.LogId})"
            : $"1. reusing log [green]{LogName}[/] (id {log.LogId}, last position {lastBefore?.ToString() ?? "none"})");

        await using var reader = await log.OpenReaderAsync(ReadStart.Latest, new LogReaderOptions { Follow = true }, cancellationToken);
        using var stopTail = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tail = new TailWatcher(count);
        var tailTask = Task.Run(() => tail.RunAsync(reader, stopTail.Token), CancellationToken.None);
        console.MarkupLine("2. started a tail reader at the end of the log (ReadStart.Latest, following)");

        await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken);
        var appends = new Task<LogPosition>[count];
        var start = Stopwatch.GetTimestamp();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"   appending {count:N0} entries (pipelined, acknowledged when durable)", maxValue: count);
                for (var i = 0; i < count; i++)
                {
                    var payload = Encoding.UTF8.GetBytes($"demo entry {i + 1} of {count}, written {DateTimeOffset.UtcNow:O}");
                    appends[i] = writer.AppendAsync(payload, cancellationToken: cancellationToken);
                }

                foreach (var append in appends)
                {
                    await append;
                    task.Increment(1);
                }
            });
        var appendElapsed = Stopwatch.GetElapsedTime(start);
        var first = await appends[0];
        var last = await appends[^1];
        console.MarkupLine($"3. appended {count:N0} entries, {first} … {last}, all durable after {Ms(appendElapsed)}");

        var sawAll = await tail.WaitForAllAsync(TailTimeout, cancellationToken);
        var tailElapsed = Stopwatch.GetElapsedTime(start);
        await stopTail.CancelAsync();
        await tailTask;
        if (tail.Failure is { } failure)
        {
            throw failure;
        }

        if (!sawAll || tail.First != first || tail.Last != last)
        {
            throw new CliException(
                $"the tail reader saw {tail.Count:N0} of {count:N0} entries (first {tail.First?.ToString() ?? "none"}, last {tail.Last?.ToString() ?? "none"}) " +
                $"within {TailTimeout.TotalSeconds:0} s; expected {first} … {last}. Run 'wp log info {LogName}' and report this.");
        }

        console.MarkupLine(
            $"4. the tail reader saw [green]{tail.Count:N0}[/] entries, first {first}, last {last}, {Ms(tailElapsed)} after the first append");
        console.MarkupLine($"Next: [grey]wp read {LogName} --from {first} --max 5[/] · [grey]wp log info {LogName}[/] · [grey]wp read {LogName} --from latest --follow[/]");
        await writer.CloseAsync(cancellationToken);
        return ExitCodes.Ok;
    }

    private static async Task<(LogHandle Log, bool Created)> CreateOrOpenAsync(WoodpeckerClient client, CancellationToken cancellationToken)
    {
        if (await client.LogExistsAsync(LogName, cancellationToken))
        {
            return (await client.OpenLogAsync(LogName, cancellationToken), false);
        }

        try
        {
            return (await client.CreateLogAsync(LogName, cancellationToken), true);
        }
        catch (LogAlreadyExistsException)
        {
            return (await client.OpenLogAsync(LogName, cancellationToken), false);
        }
    }

    private static string Ms(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:0.0} ms");

    /// <summary>Follows the log and counts what it sees, until stopped.</summary>
    private sealed class TailWatcher(int expected)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public LogPosition? First { get; private set; }

        public LogPosition? Last { get; private set; }

        public Exception? Failure { get; private set; }

        public async Task RunAsync(LogReader reader, CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var message in reader.ReadAllAsync(cancellationToken))
                {
                    First ??= message.Position;
                    Last = message.Position;
                    if (Interlocked.Increment(ref _count) >= expected)
                    {
                        _all.TrySetResult();
                    }
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped by the demo: the normal end of a tail reader.
            }
            catch (Exception ex)
            {
                Failure = ex;
                _all.TrySetResult();
            }
        }

        public async Task<bool> WaitForAllAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                await _all.Task.WaitAsync(timeout, cancellationToken);
                return Failure is null;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}
