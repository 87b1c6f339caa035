using Woodpecker.Errors;

namespace Woodpecker.Cli.Hosting;

/// <summary>
/// Turns any failure into the one line the user reads (what went wrong, what to do) and the exit code. Service
/// errors are told apart by <see cref="WoodpeckerException.ErrorCode"/>, never by message text.
/// </summary>
internal static class ErrorReporter
{
    /// <summary>Describes <paramref name="error"/> for a command that used <paramref name="dataDirectory"/> and, when known, <paramref name="logName"/>.</summary>
    public static (string Message, int ExitCode) Describe(Exception error, string dataDirectory, string? logName, bool cancelled)
    {
        if (error is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            error = aggregate.InnerExceptions[0];
        }

        var (message, code) = error switch
        {
            CliException cli => (cli.Message, cli.ExitCode),
            WoodpeckerException service => (ForCode(service, dataDirectory, logName), ExitCodes.Error),
            OperationCanceledException when cancelled => ("interrupted; appends whose positions were printed are durable, nothing else is certain.", ExitCodes.Error),
            OperationCanceledException => ($"the operation was cancelled: {error.Message}", ExitCodes.Error),
            UnauthorizedAccessException => ($"permission denied: {error.Message} Check the permissions of {dataDirectory}, or pass --data <dir>.", ExitCodes.Error),
            IOException => ($"I/O error: {error.Message} Check the disk and {dataDirectory}.", ExitCodes.Error),
            _ => ($"unexpected {error.GetType().Name}: {error.Message} This is a bug in wp; please report it with the command you ran.", ExitCodes.Error),
        };
        return (OneLine(message), code);
    }

    private static string ForCode(WoodpeckerException error, string dataDirectory, string? logName)
    {
        var log = logName ?? "<log>";
        return error.ErrorCode switch
        {
            WoodpeckerErrorCode.DataDirectoryInUse =>
                $"another wp process is using {dataDirectory}; wait for it to finish or stop it, or pass --data <dir> to use another directory.",
            WoodpeckerErrorCode.LogNotFound =>
                $"log '{log}' does not exist in {dataDirectory}; create it with: wp log create {log}",
            WoodpeckerErrorCode.LogAlreadyExists =>
                $"log '{log}' exists already; use it as it is, or delete it first with: wp log delete {log}",
            WoodpeckerErrorCode.InvalidLogName => $"invalid log name: {error.Message}",
            WoodpeckerErrorCode.InvalidPayload => $"invalid entry: {error.Message}",
            WoodpeckerErrorCode.PositionNotFound => $"{error.Message} See where the log ends with: wp log info {log}",
            WoodpeckerErrorCode.PositionTruncated => $"{error.Message} Start from the oldest entry left with: --from earliest",
            WoodpeckerErrorCode.WriterFenced => $"another writer took over log '{log}': {error.Message}",
            WoodpeckerErrorCode.Timeout or WoodpeckerErrorCode.Unavailable or WoodpeckerErrorCode.Overloaded or WoodpeckerErrorCode.Conflict =>
                $"{error.Message} This is temporary; run the command again.",
            _ => error.Message,
        };
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
