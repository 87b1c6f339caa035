namespace Woodpecker.Cluster;

/// <summary>How a silo takes part in the cluster. Bound from the "Woodpecker:Cluster" and "Woodpecker:Silo" configuration.</summary>
public sealed class ClusterOptions
{
    /// <summary>This silo's id; unique per process start. Default: "&lt;machine&gt;-&lt;8 random hex digits&gt;".</summary>
    public string SiloId { get; set; } = $"{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid():N}"[..^24];

    /// <summary>How clients and other silos reach this silo's gRPC endpoint, e.g. "http://10.0.0.5:7400". Required.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Failure domain (rack, availability zone); empty when the silo declares none. Replica groups spread over zones.</summary>
    public string Zone { get; set; } = "";

    /// <summary>etcd key prefix shared by the cluster's silos (members and grain directory live under it). Default "/woodpecker".</summary>
    public string KeyPrefix { get; set; } = "/woodpecker";

    /// <summary>
    /// TTL of the silo's etcd lease (default 3 s). A crashed silo's grains can move after at most this long; a silo that
    /// cannot renew its lease within it stops serving. Shorter detects failures faster and tolerates shorter pauses.
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the silo publishes its activation count for least-loaded placement (default 5 s).</summary>
    public TimeSpan LoadReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most attempts (redirects and retries of calls that certainly did not run) one grain call makes before it fails
    /// (default 40: with backoff capped at 0.5 s that outlasts a crashed silo's lease). The call's timeout bounds it too.
    /// </summary>
    public int MaxCallAttempts { get; set; } = 40;

    /// <summary>Directory requests (claims and releases) one silo sends to etcd at once (default 32); the rest wait their turn.</summary>
    public int MaxDirectoryRequestsInFlight { get; set; } = 32;

    /// <summary>Timeout of one etcd request made by membership and the directory (default 3 s).</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SiloId) || SiloId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(SiloId)} must be a non-empty name without '/' (got '{SiloId}').", nameof(SiloId));
        }

        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                $"{nameof(ClusterOptions)}.{nameof(Endpoint)} must be an absolute http:// or https:// URL other silos and clients can reach (got '{Endpoint}').",
                nameof(Endpoint));
        }

        if (string.IsNullOrEmpty(KeyPrefix) || !KeyPrefix.StartsWith('/'))
        {
            throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(KeyPrefix)} must start with '/' (got '{KeyPrefix}').", nameof(KeyPrefix));
        }

        if (LeaseTtl < TimeSpan.FromSeconds(2))
        {
            throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(LeaseTtl)} must be at least 2 s, etcd's smallest lease (got {LeaseTtl}).", nameof(LeaseTtl));
        }

        if (LoadReportInterval <= TimeSpan.Zero || MetadataTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(LoadReportInterval)} and {nameof(MetadataTimeout)} must be positive.");
        }

        if (MaxDirectoryRequestsInFlight is < 1 or > 10_000)
        {
            throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(MaxDirectoryRequestsInFlight)} must be between 1 and 10,000 (got {MaxDirectoryRequestsInFlight}).", nameof(MaxDirectoryRequestsInFlight));
        }

        if (MaxCallAttempts is < 1 or > 1000)
        {
            throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(MaxCallAttempts)} must be between 1 and 1000 (got {MaxCallAttempts}).", nameof(MaxCallAttempts));
        }
    }

    internal string MembersPrefix => $"{KeyPrefix.TrimEnd('/')}/cluster/members/";

    internal string DirectoryPrefix => $"{KeyPrefix.TrimEnd('/')}/cluster/directory/";
}
