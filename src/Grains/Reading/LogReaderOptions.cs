namespace Woodpecker.Grains.Reading;

/// <summary>Options of a reader session.</summary>
public sealed class LogReaderOptions
{
    /// <summary>Keep reading new entries as they become durable (tail), instead of stopping at the current end. Default true.</summary>
    public bool Follow { get; set; } = true;

    /// <summary>Most payload bytes returned in one batch. Default 1 MiB.</summary>
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>Most entries returned in one batch. Default 1,000.</summary>
    public int MaxBatchEntries { get; set; } = 1000;

    /// <summary>How long one wait for new entries lasts before it is renewed (a held request, not a poll). Default 20 s.</summary>
    public TimeSpan TailWait { get; set; } = TimeSpan.FromSeconds(20);
}
