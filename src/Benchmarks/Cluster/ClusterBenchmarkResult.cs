namespace Woodpecker.Benchmarks.Cluster;

/// <summary>What `wp bench cluster` measured.</summary>
public sealed record ClusterBenchmarkResult
{
    /// <summary>Silos in the cluster.</summary>
    public required int Silos { get; init; }

    /// <summary>The silos' lease TTL (a dead silo's logs move after at most this long).</summary>
    public required TimeSpan LeaseTtl { get; init; }

    /// <summary>Payload bytes per entry.</summary>
    public required int EntryBytes { get; init; }

    /// <summary>Per round: embedded and cluster latency and throughput.</summary>
    public required IReadOnlyList<RoutingRound> Rounds { get; init; }

    /// <summary>One unary gRPC call to a silo (ClusterService.GetMembers): the network round trip the remote path adds at least.</summary>
    public required LatencySummary RoundTrip { get; init; }

    /// <summary>Seconds from each kill to the first acknowledged append after it.</summary>
    public required IReadOnlyList<FailoverRun> Failovers { get; init; }

    /// <summary>The scale run.</summary>
    public required ScaleRun Scale { get; init; }

    /// <summary>Median over rounds of cluster p50 − embedded p50, in ms.</summary>
    public double MedianRemoteCostP50Ms => Statistics.Median(Rounds.Select(r => r.Cluster.P50Ms - r.Embedded.P50Ms));

    /// <summary>Median over rounds of cluster throughput ÷ embedded throughput.</summary>
    public double MedianThroughputRatio => Statistics.Median(Rounds.Select(r => r.ClusterEntriesPerSecond / r.EmbeddedEntriesPerSecond));
}

/// <summary>One round of the routing-cost comparison.</summary>
public sealed record RoutingRound(int Round, LatencySummary Embedded, LatencySummary Cluster, double EmbeddedEntriesPerSecond, double ClusterEntriesPerSecond);

/// <summary>One kill of the silo holding a log.</summary>
public sealed record FailoverRun(string Killed, double ResumedAfterSeconds, int AppendsWithUnknownOutcome);

/// <summary>Creating many logs and holding many active on one silo.</summary>
public sealed record ScaleRun(
    int Logs,
    double CreateSeconds,
    IReadOnlyList<int> LogsPerSilo,
    int ActiveLogs,
    int ActivationsOnSilo,
    double ActiveBytesPerLog,
    double IdleBytesPerLog,
    double SetupActiveSeconds);
