namespace Woodpecker.Etcd;

/// <summary>Options of the etcd client.</summary>
public sealed class EtcdClientOptions
{
    /// <summary>Client URLs of the etcd members, e.g. http://127.0.0.1:2379. Required. Calls fail over between them.</summary>
    public IList<string> Endpoints { get; set; } = [];

    /// <summary>Upper bound on one call, retries included. Default 5 s.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound on establishing a connection to one endpoint. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Attempts per call. Reads are retried on any transport failure; writes only when the request cannot have
    /// reached the server (connection refused or not established), so a retry never applies a write twice.
    /// Default 3.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled per attempt. Default 50 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>User name for etcd authentication; null when auth is off.</summary>
    public string? Username { get; set; }

    /// <summary>Password for etcd authentication.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed the servers' certificates (https endpoints); null to use the system store.</summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>PEM certificate for client-certificate authentication; needs <see cref="ClientKeyFile"/>.</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Throws when a setting is invalid, naming it.</summary>
    public void Validate()
    {
        if (Endpoints.Count == 0)
        {
            throw new ArgumentException("EtcdClientOptions.Endpoints must list at least one etcd client URL, e.g. http://127.0.0.1:2379.", nameof(Endpoints));
        }

        foreach (var endpoint in Endpoints)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"EtcdClientOptions.Endpoints: '{endpoint}' is not an http:// or https:// URL.", nameof(Endpoints));
            }
        }

        if (CallTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CallTimeout), "EtcdClientOptions.CallTimeout and ConnectTimeout must be positive.");
        }

        if (MaxAttempts is < 1 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), "EtcdClientOptions.MaxAttempts must be between 1 and 20.");
        }

        if ((Username is null) != (Password is null))
        {
            throw new ArgumentException("EtcdClientOptions.Username and Password must be set together.", nameof(Username));
        }

        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
        {
            throw new ArgumentException("EtcdClientOptions.ClientCertificateFile and ClientKeyFile must be set together.", nameof(ClientCertificateFile));
        }
    }
}
