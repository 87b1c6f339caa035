using Woodpecker.Silo.Embedded;

namespace Woodpecker.Benchmarks;

/// <summary>Options of <see cref="ThroughputBenchmark"/>.</summary>
public sealed class ThroughputOptions
{
    /// <summary>Parent of the benchmark's fresh directory; raw files and data directories go there. Default: the temp directory.</summary>
    public string DataParent { get; set; } = Path.GetTempPath();

    /// <summary>Keep the files written instead of deleting them after each measurement. Default false.</summary>
    public bool Keep { get; set; }

    /// <summary>Payload bytes of each entry. Default 64 KiB.</summary>
    public int EntryBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// How long each raw run writes when <see cref="TotalBytes"/> is not set; the log run of the same round then
    /// writes exactly the bytes the raw run wrote. Default 3 s.
    /// </summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Bytes every run of every round writes; when set, <see cref="Duration"/> is ignored. Default: not set.</summary>
    public long? TotalBytes { get; set; }

    /// <summary>
    /// Upper bound on the context run that syncs after every entry-sized write (it is slow by nature); its rate is
    /// measured over what it wrote. Default: <see cref="Duration"/>.
    /// </summary>
    public TimeSpan? RawEntryTimeLimit { get; set; }

    /// <summary>Rounds; each runs raw then log. Default 5.</summary>
    public int Rounds { get; set; } = 5;

    /// <summary>Payload bytes the writer keeps in flight (appends issued but not yet durable). Default 64 MiB.</summary>
    public long MaxInFlightBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Bytes written once by each side before the first round, not measured (JIT, caches). Default 64 MiB.</summary>
    public long WarmUpBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Changes the embedded silo's options of every log run (the raw chunk size follows its block size).</summary>
    public Action<EmbeddedSiloOptions>? ConfigureSilo { get; set; }

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (EntryBytes <= 0 || EntryBytes > 8 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(EntryBytes), "The entry size must be between 1 byte and 8 MiB.");
        }

        if (TotalBytes is null && Duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), "The duration must be positive.");
        }

        if (TotalBytes is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalBytes), "The size must be positive.");
        }

        if (Rounds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Rounds), "At least one round is needed.");
        }

        if (MaxInFlightBytes < EntryBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInFlightBytes), "The in-flight window must hold at least one entry.");
        }
    }

    internal EmbeddedSiloOptions SiloOptions(string dataDirectory)
    {
        var options = new EmbeddedSiloOptions { DataDirectory = dataDirectory };
        ConfigureSilo?.Invoke(options);
        return options;
    }
}
