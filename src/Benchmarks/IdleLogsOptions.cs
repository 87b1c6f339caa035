namespace Woodpecker.Benchmarks;

/// <summary>Options of <see cref="IdleLogsBenchmark"/>.</summary>
public sealed class IdleLogsOptions
{
    /// <summary>Parent of the benchmark's fresh directory. Default: the temp directory.</summary>
    public string DataParent { get; set; } = Path.GetTempPath();

    /// <summary>Keep the data directory. Default false.</summary>
    public bool Keep { get; set; }

    /// <summary>Logs created, written once and closed. Default 10,000.</summary>
    public int Logs { get; set; } = 10_000;

    /// <summary>Payload bytes of the one entry each log gets. Default 1 KiB.</summary>
    public int EntryBytes { get; set; } = 1024;

    /// <summary>Logs set up concurrently. Default 8.</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>
    /// Keep every activation alive until the peak is measured (the idle age applies only afterwards), so the peak is
    /// "all logs active". Each active log holds open files (about two with the local backend), so this needs a file
    /// limit above twice <see cref="Logs"/>. Default false: the idle age applies throughout, as in production, and
    /// the peak is whatever is active when the last log is set up.
    /// </summary>
    public bool HoldActiveUntilPeak { get; set; }

    /// <summary>Idle age after which activations are deactivated. Default 5 s.</summary>
    public TimeSpan IdleDeactivationAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often idle activations are looked for. Default 1 s.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Idle age after which an active segment is completed. Default 5 s.</summary>
    public TimeSpan SegmentIdleCompleteAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for every activation to go away before reporting what is left. Default 5 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (Logs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Logs), "At least one log is needed.");
        }

        if (EntryBytes <= 0 || EntryBytes > 8 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(EntryBytes), "The entry size must be between 1 byte and 8 MiB.");
        }

        if (Parallelism <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), "The parallelism must be positive.");
        }

        if (IdleDeactivationAge <= TimeSpan.Zero || CollectionInterval <= TimeSpan.Zero || SegmentIdleCompleteAge <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleDeactivationAge), "Idle ages, the collection interval and the timeout must be positive.");
        }
    }
}
