namespace Woodpecker.Cli.Hosting;

/// <summary>A failure `wp` describes itself: the message is the one line the user sees.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message, int exitCode = ExitCodes.Error, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public CliException()
        : this("wp failed.")
    {
    }

    public CliException(string message)
        : this(message, ExitCodes.Error)
    {
    }

    public CliException(string message, Exception innerException)
        : this(message, ExitCodes.Error, innerException)
    {
    }

    /// <summary>The process exit code: <see cref="ExitCodes.Error"/> or <see cref="ExitCodes.Usage"/>.</summary>
    public int ExitCode { get; }

    /// <summary>A bad command line detected after parsing (for example a malformed --property).</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
