namespace Woodpecker.TestingHost;

/// <summary>How a test etcd server is started.</summary>
public sealed class EtcdServerOptions
{
    /// <summary>PEM certificate for serving clients over TLS (https); null for plain http.</summary>
    public string? CertificateFile { get; init; }

    /// <summary>PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; init; }
}
