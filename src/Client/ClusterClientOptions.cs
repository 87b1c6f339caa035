namespace Woodpecker.Client;

/// <summary>How a client reaches a Woodpecker cluster.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>
    /// gRPC endpoints of some silos ("http://silo1:7400"); one that answers is enough — the client learns the rest of
    /// the cluster from it and keeps following membership.
    /// </summary>
    public IList<string> Gateways { get; set; } = [];

    /// <summary>Deadline of each unary call, retries included (default 30 s).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the client refreshes its view of the silos (default 5 s; also at once after a silo fails).</summary>
    public TimeSpan MembershipRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per call when a silo is unreachable and the call is safe to repeat (default 4).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> saying what to fix.</summary>
    public void Validate()
    {
        if (Gateways.Count == 0)
        {
            throw new ArgumentException("ClusterClientOptions.Gateways is empty: give at least one silo endpoint, e.g. http://127.0.0.1:7400.", nameof(Gateways));
        }

        foreach (var gateway in Gateways)
        {
            if (!Uri.TryCreate(gateway, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"Gateway '{gateway}' is not an http:// or https:// URL such as http://127.0.0.1:7400.", nameof(Gateways));
            }
        }

        if (CallTimeout <= TimeSpan.Zero || MembershipRefreshInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("ClusterClientOptions.CallTimeout and MembershipRefreshInterval must be positive durations.");
        }

        if (MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentException($"ClusterClientOptions.MaxAttempts must be between 1 and 100 (got {MaxAttempts}).", nameof(MaxAttempts));
        }
    }
}
