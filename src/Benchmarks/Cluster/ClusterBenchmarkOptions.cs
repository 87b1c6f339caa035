namespace Woodpecker.Benchmarks.Cluster;

/// <summary>What `wp bench cluster` runs: a 3-silo in-process cluster on etcd, next to an embedded client on the same disk.</summary>
public sealed class ClusterBenchmarkOptions
{
    /// <summary>Parent directory of the benchmark's files (a fresh subdirectory is created and removed).</summary>
    public string DataParent { get; set; } = ".";

    /// <summary>Keep the files afterwards.</summary>
    public bool Keep { get; set; }

    /// <summary>etcd client URLs; empty starts a temporary etcd (which must be installed).</summary>
    public IList<string> EtcdEndpoints { get; set; } = [];

    /// <summary>Silos in the cluster (default 3).</summary>
    public int Silos { get; set; } = 3;

    /// <summary>Rounds of the routing-cost comparison, alternating embedded and cluster (default 3).</summary>
    public int Rounds { get; set; } = 3;

    /// <summary>Appends, one at a time, per latency run (default 1,000).</summary>
    public int LatencyAppends { get; set; } = 1_000;

    /// <summary>Appends per throughput run (default 20,000).</summary>
    public int ThroughputAppends { get; set; } = 20_000;

    /// <summary>Appends in flight in throughput runs (default 256).</summary>
    public int InFlight { get; set; } = 256;

    /// <summary>Payload bytes per entry (default 1 KiB).</summary>
    public int EntryBytes { get; set; } = 1024;

    /// <summary>Kills of the silo holding a log (default 3).</summary>
    public int Failovers { get; set; } = 3;

    /// <summary>Logs created across the cluster (default 100,000).</summary>
    public int Logs { get; set; } = 100_000;

    /// <summary>Logs kept active on one silo (default 10,000).</summary>
    public int ActiveLogs { get; set; } = 10_000;

    /// <summary>
    /// Concurrent creates and writer opens (default 16). Three silos, the client and etcd share this machine's cores: far
    /// more starves the silos' lease renewals, and a silo that cannot renew in time steps down by design.
    /// </summary>
    public int Parallelism { get; set; } = 16;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(Silos is >= 2 and <= 9, nameof(Silos), "between 2 and 9");
        Require(Rounds is >= 1 and <= 100, nameof(Rounds), "between 1 and 100");
        Require(LatencyAppends >= 10, nameof(LatencyAppends), "at least 10");
        Require(ThroughputAppends >= 100, nameof(ThroughputAppends), "at least 100");
        Require(InFlight is >= 1 and <= 100_000, nameof(InFlight), "between 1 and 100,000");
        Require(EntryBytes is >= 1 and <= 1024 * 1024, nameof(EntryBytes), "between 1 byte and 1 MiB");
        Require(Failovers is >= 0 and <= 20, nameof(Failovers), "between 0 and 20");
        Require(Logs >= 10, nameof(Logs), "at least 10");
        Require(ActiveLogs >= 1 && ActiveLogs <= Logs, nameof(ActiveLogs), $"between 1 and --logs ({Logs})");
        Require(Parallelism is >= 1 and <= 1024, nameof(Parallelism), "between 1 and 1,024");
    }

    private static void Require(bool condition, string name, string range)
    {
        if (!condition)
        {
            throw new ArgumentException($"{nameof(ClusterBenchmarkOptions)}.{name} must be {range}.", name);
        }
    }
}
