namespace Woodpecker.Client;

/// <summary>Options of a reader handle.</summary>
public sealed class LogReaderOptions
{
    /// <summary>
    /// True (default): after catching up, keep returning new entries as they become durable, until cancelled.
    /// False: stop at the end of the log as it is when the reader gets there.
    /// </summary>
    public bool Follow { get; set; } = true;

    /// <summary>Most payload bytes fetched per batch. Default 1 MiB.</summary>
    public int MaxBatchBytes { get; set; } = 1024 * 1024;
}
