using Woodpecker.Storage.S3;

namespace Woodpecker.Benchmarks.ObjectStorage;

/// <summary>Options of <see cref="ObjectStorageBenchmark"/>.</summary>
public sealed class ObjectStorageOptions
{
    /// <summary>Parent of the benchmark's fresh directory (metadata; s3rver's data when the benchmark starts one). Default: the temp directory.</summary>
    public string DataParent { get; set; } = Path.GetTempPath();

    /// <summary>Keep the local files instead of deleting them. Objects are always deleted. Default false.</summary>
    public bool Keep { get; set; }

    /// <summary>
    /// The store to measure. Null: the benchmark starts s3rver (from the repository's node_modules) on a free
    /// loopback port for the run. Its key prefix gets a per-run suffix so runs never see each other's objects.
    /// </summary>
    public S3StorageOptions? Store { get; set; }

    /// <summary>Payload bytes of each entry in the throughput runs. Default 64 KiB.</summary>
    public int EntryBytes { get; set; } = 64 * 1024;

    /// <summary>How long each raw PUT run uploads; the log run then writes the same bytes. Default 3 s.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Rounds; each runs raw PUT, log append, raw GET, catch-up read. Default 3.</summary>
    public int Rounds { get; set; } = 3;

    /// <summary>Payload bytes the writer keeps in flight. Default 64 MiB.</summary>
    public long MaxInFlightBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Appends, one at a time, in each latency run (and raw PUTs of one small block). Default 40.</summary>
    public int LatencyCount { get; set; } = 40;

    /// <summary>Payload bytes of each latency-run entry. Default 1 KiB.</summary>
    public int LatencyEntryBytes { get; set; } = 1024;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (EntryBytes is <= 0 or > 8 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(EntryBytes), "The entry size must be between 1 byte and 8 MiB.");
        }

        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), "The duration must be positive.");
        }

        if (Rounds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Rounds), "At least one round is needed.");
        }

        if (MaxInFlightBytes < EntryBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInFlightBytes), "The in-flight window must hold at least one entry.");
        }

        if (LatencyCount <= 0 || LatencyEntryBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LatencyCount), "The latency runs need at least one append of at least one byte.");
        }

        Store?.Validate();
    }
}
