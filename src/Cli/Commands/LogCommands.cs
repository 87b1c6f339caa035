using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Woodpecker.Benchmarks;
using Woodpecker.Cli.Hosting;
using Woodpecker.Cli.Output;
using Woodpecker.Client;

namespace Woodpecker.Cli.Commands;

/// <summary>`wp log create|list|delete|info`.</summary>
internal static class LogCommands
{
    public static Command Create(CliContext context)
    {
        var log = new Command("log", "Create, list, inspect and delete logs.");
        log.Subcommands.Add(CreateCommand(context));
        log.Subcommands.Add(ListCommand(context));
        log.Subcommands.Add(DeleteCommand(context));
        log.Subcommands.Add(InfoCommand(context));
        return log;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The log's name: ASCII letters, digits, '.', '_' and '-'." };

    private static Command CreateCommand(CliContext context)
    {
        var name = NameArgument();
        var command = new Command("create", "Create a log.") { name };
        command.SetAction((result, cancellationToken) =>
        {
            var logName = result.GetRequiredValue(name);
            return context.RunWithClientAsync(result, logName, async (client, ct) =>
            {
                var handle = await client.CreateLogAsync(logName, ct);
                context.Console.Out.WriteLine($"created log '{handle.Name}' (id {handle.LogId})");
                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }

    private static Command ListCommand(CliContext context)
    {
        var prefix = new Option<string>("--prefix") { Description = "Only logs whose names start with this.", DefaultValueFactory = _ => "" };
        var command = new Command("list", "List logs in name order.") { prefix };
        command.SetAction((result, cancellationToken) => context.RunWithClientAsync(result, null, async (client, ct) =>
        {
            var table = Tables.Create(null, "Name", ">Id", "Created", "Truncated to");
            var count = 0;
            await foreach (var log in client.ListLogsAsync(result.GetValue(prefix) ?? "", ct))
            {
                table.AddTextRow(log.Name, log.LogId.ToString(CultureInfo.InvariantCulture), Tables.Time(log.CreatedAt), log.TruncatedTo?.ToString() ?? "—");
                count++;
            }

            if (count == 0)
            {
                var filter = result.GetValue(prefix) is { Length: > 0 } p ? $" starting with '{p}'" : "";
                context.Console.Out.WriteLine($"no logs{filter} in {context.Location(result)}; create one with: wp log create <name>");
                return ExitCodes.Ok;
            }

            context.Console.Ansi.Write(table);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command DeleteCommand(CliContext context)
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a log and all its entries.") { name };
        command.SetAction((result, cancellationToken) =>
        {
            var logName = result.GetRequiredValue(name);
            return context.RunWithClientAsync(result, logName, async (client, ct) =>
            {
                await client.DeleteLogAsync(logName, ct);
                context.Console.Out.WriteLine($"deleted log '{logName}'");
                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }

    private static Command InfoCommand(CliContext context)
    {
        var name = NameArgument();
        var command = new Command("info", "Show a log: its description, last position and segments.") { name };
        command.SetAction((result, cancellationToken) =>
        {
            var logName = result.GetRequiredValue(name);
            return context.RunWithClientAsync(result, logName, async (client, ct) =>
            {
                var log = await client.OpenLogAsync(logName, ct);
                var info = await log.GetInfoAsync(ct);
                var last = await log.GetLastPositionAsync(ct);
                var segments = await log.ListSegmentsAsync(ct);

                var summary = new Grid().AddColumn().AddColumn();
                summary.AddTextRow("name", info.Name);
                summary.AddTextRow("id", info.LogId.ToString(CultureInfo.InvariantCulture));
                summary.AddTextRow("created", Tables.Time(info.CreatedAt));
                summary.AddTextRow("truncated to", info.TruncatedTo?.ToString() ?? "—");
                summary.AddTextRow("last position", last?.ToString() ?? "— (no entries)");
                summary.AddTextRow("segments", Tables.Number(segments.Count));
                summary.AddTextRow("entries", Tables.Number(segments.Where(s => s.State != SegmentState.Truncated).Sum(s => s.EntryCount)));
                summary.AddTextRow("bytes", Units.Bytes(segments.Sum(s => s.SizeBytes)));
                if (await log.GetStorageRequestsAsync(ct) is { } requests && requests.Puts + requests.Gets + requests.Heads + requests.Lists + requests.Deletes > 0)
                {
                    // Counted by the service that serves the log, since it started: for the embedded service that is
                    // this command; a silo reports its lifetime (also exported as the Woodpecker.Storage meter).
                    summary.AddTextRow(
                        "storage requests",
                        string.Create(CultureInfo.InvariantCulture,
                            $"{requests.Puts:N0} PUT, {requests.Gets:N0} GET, {requests.Heads:N0} HEAD, {requests.Lists:N0} LIST, {requests.Deletes:N0} DELETE (${requests.EstimatedCostUsd:0.######}) since the service started"));
                }

                context.Console.Ansi.Write(summary);

                if (segments.Count > 0)
                {
                    var table = Tables.Create("segments", ">Segment", "State", ">Entries", ">Bytes", ">Epoch", "Created", "Completed");
                    foreach (var segment in segments)
                    {
                        table.AddTextRow(
                            segment.SegmentId.ToString(CultureInfo.InvariantCulture),
                            segment.State.ToString(),
                            Tables.Number(segment.EntryCount),
                            Tables.Number(segment.SizeBytes),
                            segment.WriterEpoch.ToString(CultureInfo.InvariantCulture),
                            Tables.Time(segment.CreatedAt),
                            Tables.Time(segment.CompletedAt));
                    }

                    context.Console.Ansi.Write(table);
                }

                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return command;
    }
}
