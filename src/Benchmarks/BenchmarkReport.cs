namespace Woodpecker.Benchmarks;

/// <summary>Everything one `wp bench` run measured, for printing and for the README's results table.</summary>
public sealed record BenchmarkReport
{
    /// <summary>When the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Where it ran.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>Throughput, when run.</summary>
    public ThroughputResult? Throughput { get; init; }

    /// <summary>Latency, when run.</summary>
    public LatencyResult? Latency { get; init; }

    /// <summary>The log on object storage (`--storage s3`), when run.</summary>
    public ObjectStorage.ObjectStorageResult? ObjectStorage { get; init; }

    /// <summary>Idle logs' memory, when run.</summary>
    public IdleLogsResult? IdleLogs { get; init; }

    /// <summary>Metadata operations on etcd, when run.</summary>
    public MetadataResult? Metadata { get; init; }

    /// <summary>The cluster: routing cost, failover, scale, when run.</summary>
    public Cluster.ClusterBenchmarkResult? Cluster { get; init; }
}
