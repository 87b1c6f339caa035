namespace Woodpecker.Grains.Writing;

/// <summary>Options of a writer session.</summary>
public sealed class LogWriterOptions
{
    /// <summary>Payload bytes that may be appended but not yet acknowledged; further appends wait. Default 64 MiB.</summary>
    public long MaxPendingBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Appends that may be pending at once; further appends wait. Default 100,000.</summary>
    public int MaxPendingAppends { get; set; } = 100_000;

    /// <summary>Most payload bytes sent to the segment in one call. Default 4 MiB.</summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most entries sent to the segment in one call. Default 4,096.</summary>
    public int MaxBatchEntries { get; set; } = 4096;

    /// <summary>Batches in flight to the segment at once. Default 32.</summary>
    public int MaxInFlightBatches { get; set; } = 32;

    /// <summary>
    /// When set, open only if this is still the log's writer epoch — how a client reconnects its writer after losing a
    /// silo without ever fencing a writer that superseded it (then <see cref="Errors.WriterFencedException"/>).
    /// </summary>
    public long? ExpectedWriterEpoch { get; set; }

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        Require(MaxPendingBytes >= 1024, nameof(MaxPendingBytes));
        Require(MaxPendingAppends >= 1, nameof(MaxPendingAppends));
        Require(MaxBatchBytes >= 1024, nameof(MaxBatchBytes));
        Require(MaxBatchEntries >= 1, nameof(MaxBatchEntries));
        Require(MaxInFlightBatches >= 1, nameof(MaxInFlightBatches));
    }

    private static void Require(bool condition, string name)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, $"LogWriterOptions.{name} is out of range.");
        }
    }
}
