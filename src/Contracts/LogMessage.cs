namespace Woodpecker;

/// <summary>An entry read from a log.</summary>
public sealed class LogMessage
{
    private static readonly IReadOnlyDictionary<string, string> NoProperties = new Dictionary<string, string>();

    /// <summary>Creates a message.</summary>
    public LogMessage(LogPosition position, ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? properties = null)
    {
        Position = position;
        Payload = payload;
        Properties = properties ?? NoProperties;
    }

    /// <summary>Where the entry sits in the log.</summary>
    public LogPosition Position { get; }

    /// <summary>The bytes that were appended. The message owns them; they stay valid after the next read.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The properties appended with the entry (empty when there were none).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }
}
