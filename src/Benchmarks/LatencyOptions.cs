using Woodpecker.Silo.Embedded;

namespace Woodpecker.Benchmarks;

/// <summary>Options of <see cref="LatencyBenchmark"/>.</summary>
public sealed class LatencyOptions
{
    /// <summary>Parent of the benchmark's fresh directory. Default: the temp directory.</summary>
    public string DataParent { get; set; } = Path.GetTempPath();

    /// <summary>Keep the files written. Default false.</summary>
    public bool Keep { get; set; }

    /// <summary>Payload bytes of each entry. Default 1 KiB.</summary>
    public int EntryBytes { get; set; } = 1024;

    /// <summary>Measured appends (and raw writes) per run when <see cref="Duration"/> is not set. Default 5,000.</summary>
    public int Count { get; set; } = 5_000;

    /// <summary>
    /// When set, each raw run writes for this long and the log run of the same round makes as many appends as the
    /// raw run made writes; <see cref="Count"/> is ignored. Default: not set.
    /// </summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Rounds; each runs raw then log. Default 5.</summary>
    public int Rounds { get; set; } = 5;

    /// <summary>Writes each side makes before measuring in every run (JIT, file creation). Default 100.</summary>
    public int WarmUp { get; set; } = 100;

    /// <summary>Changes the embedded silo's options of every log run.</summary>
    public Action<EmbeddedSiloOptions>? ConfigureSilo { get; set; }

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (EntryBytes <= 0 || EntryBytes > 8 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(EntryBytes), "The entry size must be between 1 byte and 8 MiB.");
        }

        if (Duration is null && Count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), "At least one append per run is needed.");
        }

        if (Duration is { } duration && (duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), "The duration must be positive and at most 1 hour.");
        }

        if (Rounds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Rounds), "At least one round is needed.");
        }

        if (WarmUp < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmUp), "The warm-up must not be negative.");
        }
    }

    internal EmbeddedSiloOptions SiloOptions(string dataDirectory)
    {
        var options = new EmbeddedSiloOptions { DataDirectory = dataDirectory };
        ConfigureSilo?.Invoke(options);
        return options;
    }
}
