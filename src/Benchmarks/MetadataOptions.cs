using Woodpecker.Silo.Embedded;

namespace Woodpecker.Benchmarks;

/// <summary>Options of <see cref="MetadataBenchmark"/>.</summary>
public sealed class MetadataOptions
{
    /// <summary>Parent of the benchmark's fresh directory (segment files of the service runs). Default: the temp directory.</summary>
    public string DataParent { get; set; } = Path.GetTempPath();

    /// <summary>Keep the segment files instead of deleting them. The run's etcd keys are always deleted. Default false.</summary>
    public bool Keep { get; set; }

    /// <summary>
    /// Client URLs of the etcd to measure. Empty: the benchmark starts a temporary etcd on free loopback ports
    /// (Woodpecker.TestingHost's EtcdServer) and stops it afterwards. Every key the run writes lies under a prefix of
    /// its own, deleted at the end.
    /// </summary>
    public IReadOnlyList<string> EtcdEndpoints { get; set; } = [];

    /// <summary>Rounds; each runs the raw etcd operations, then the service's. Default 5.</summary>
    public int Rounds { get; set; } = 5;

    /// <summary>Per round: raw puts, raw transactions, log creations and writer openings, each this many. Default 100.</summary>
    public int Count { get; set; } = 100;

    /// <summary>Per round: measured segment rolls of the roll-stall run. Default 30.</summary>
    public int Rolls { get; set; } = 30;

    /// <summary>Entries per segment in the roll-stall run (the service's segment roll entry count). Default 50.</summary>
    public int EntriesPerSegment { get; set; } = 50;

    /// <summary>Payload bytes of each roll-stall entry. Default 128 bytes.</summary>
    public int EntryBytes { get; set; } = 128;

    /// <summary>Operations of each kind made before measuring in every round (connections, JIT). Default 10.</summary>
    public int WarmUp { get; set; } = 10;

    /// <summary>Changes the embedded silo's options of every service run (after the benchmark set etcd, storage and rolling).</summary>
    public Action<EmbeddedSiloOptions>? ConfigureSilo { get; set; }

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (Rounds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Rounds), "At least one round is needed.");
        }

        if (Count <= 0 || Count > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), "The operation count must be between 1 and 1,000,000.");
        }

        if (Rolls <= 0 || Rolls > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Rolls), "The roll count must be between 1 and 100,000.");
        }

        if (EntriesPerSegment < 4 || EntriesPerSegment > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(EntriesPerSegment), "A segment must hold between 4 and 1,000,000 entries (appends away from rolls are the baseline).");
        }

        if (EntryBytes <= 0 || EntryBytes > 8 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(EntryBytes), "The entry size must be between 1 byte and 8 MiB.");
        }

        if (WarmUp < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmUp), "The warm-up must not be negative.");
        }

        foreach (var endpoint in EtcdEndpoints)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentOutOfRangeException(nameof(EtcdEndpoints), $"'{endpoint}' is not an etcd client URL (http://host:port).");
            }
        }
    }
}
