namespace Woodpecker.Client;

/// <summary>Options of a writer handle.</summary>
public sealed class LogWriterOptions
{
    /// <summary>Payload bytes appended but not yet acknowledged before AppendAsync waits. Default 64 MiB.</summary>
    public long MaxPendingBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Appends not yet acknowledged before AppendAsync waits. Default 100,000.</summary>
    public int MaxPendingAppends { get; set; } = 100_000;
}
