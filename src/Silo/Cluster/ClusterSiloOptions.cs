using Woodpecker.Cluster;
using Woodpecker.Etcd;
using Woodpecker.Grains;
using Woodpecker.Runtime;
using Woodpecker.Storage.Local;
using Woodpecker.Storage.S3;

namespace Woodpecker.Silo.Cluster;

/// <summary>
/// Options of a silo that is a member of a cluster. The silo host binds them from the "Woodpecker" configuration section
/// (see the README's silo configuration table); the in-process test cluster sets them directly.
/// </summary>
public sealed class ClusterSiloOptions
{
    /// <summary>Identity, advertised endpoint, zone, etcd key prefix and lease TTL. <see cref="ClusterOptions.Endpoint"/> defaults from the bound port.</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Address the gRPC and health endpoints listen on (default "0.0.0.0"; the test cluster uses 127.0.0.1).</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>gRPC port, HTTP/2 without TLS: the public API and silo-to-silo calls (default 7400; 0 picks a free port).</summary>
    public int Port { get; set; } = 7400;

    /// <summary>HTTP/1.1 port for GET /healthz and GET /metrics (default 7401; 0 picks a free port; -1 disables it).</summary>
    public int HealthPort { get; set; } = 7401;

    /// <summary>etcd, where membership, the grain directory and log metadata live. Required.</summary>
    public EtcdClientOptions Etcd { get; set; } = new();

    /// <summary>Segments in local files under <see cref="DataDirectory"/> (a filesystem every silo shares, e.g. NFS) when null; in S3 otherwise.</summary>
    public S3StorageOptions? S3 { get; set; }

    /// <summary>Directory for segment files when <see cref="S3"/> is null (default "./woodpecker-data").</summary>
    public string DataDirectory { get; set; } = "woodpecker-data";

    /// <summary>The local storage backend's options; its root is set from <see cref="DataDirectory"/>.</summary>
    public LocalStorageOptions Storage { get; set; } = new();

    /// <summary>The log service: segment rolling, tail cache, truncation, entry limits.</summary>
    public LogServiceOptions Log { get; set; } = new();

    /// <summary>The actor runtime: idle deactivation, call timeouts, mailbox sizes.</summary>
    public ActorRuntimeOptions Runtime { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting (the endpoint is checked after binding).</summary>
    public void Validate()
    {
        if (Etcd.Endpoints.Count == 0)
        {
            throw new ArgumentException("A cluster silo needs etcd: set Woodpecker:Etcd:Endpoints (for example http://127.0.0.1:2379).", nameof(Etcd));
        }

        if (!System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            throw new ArgumentException($"{nameof(ListenAddress)} must be an IP address such as 0.0.0.0 or 127.0.0.1 (got '{ListenAddress}').", nameof(ListenAddress));
        }

        if (Port is < 0 or > 65535 || HealthPort is < -1 or > 65535 || (Port != 0 && Port == HealthPort))
        {
            throw new ArgumentException($"{nameof(Port)} ({Port}) and {nameof(HealthPort)} ({HealthPort}) must be distinct TCP ports (0 = any free port, HealthPort -1 = off).");
        }

        Log.Validate();
        Runtime.Validate();
    }
}
