using System.CommandLine;
using System.CommandLine.Parsing;

namespace Woodpecker.Cli.Parsing;

/// <summary>Options and arguments whose values are sizes, durations and positions, with errors that say how to write them.</summary>
internal static class CliParsers
{
    public static Option<long?> SizeOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "size",
        CustomParser = result =>
        {
            var text = Last(result);
            if (HumanSize.TryParse(text, out var bytes))
            {
                return bytes;
            }

            result.AddError(HumanSize.Explain(text));
            return null;
        },
    };

    public static Option<TimeSpan?> DurationOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = result =>
        {
            var text = Last(result);
            if (HumanDuration.TryParse(text, out var duration) && duration > TimeSpan.Zero)
            {
                return duration;
            }

            result.AddError(HumanDuration.Explain(text));
            return null;
        },
    };

    public static Argument<LogPosition> PositionArgument(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "SEG:ENTRY",
        CustomParser = result =>
        {
            var text = Last(result);
            if (LogPosition.TryParse(text, out var position))
            {
                return position;
            }

            result.AddError($"'{text}' is not a log position; write it as SEG:ENTRY, for example 0:42.");
            return default;
        },
    };

    public static Option<ReadStart> ReadStartOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "earliest|latest|SEG:ENTRY",
        DefaultValueFactory = _ => ReadStart.Earliest,
        CustomParser = result =>
        {
            var text = Last(result) ?? "";
            try
            {
                return ReadStart.Parse(text);
            }
            catch (FormatException)
            {
                result.AddError($"'{text}' is not a read start; use earliest, latest or SEG:ENTRY (for example 0:42).");
                return ReadStart.Earliest;
            }
        },
    };

    private static string? Last(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;
}
