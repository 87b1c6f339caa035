using Woodpecker.Client;
using Woodpecker.Etcd;
using Woodpecker.Silo.Embedded;
using Woodpecker.Storage.S3;

namespace Woodpecker.Cli.Hosting;

/// <summary>
/// Makes the client every command uses, from the global options. The one place that decides how `wp` reaches the
/// service: an in-process silo keeping segments in the --data directory, with metadata in SQLite there or, with
/// --etcd, in etcd; segments on local disk or, with --s3-bucket, in S3 — or, with --cluster, a running cluster reached
/// over gRPC.
/// </summary>
internal sealed class ClientFactory
{
    public ClientFactory(string dataDirectory, IReadOnlyList<string> etcdEndpoints, S3StorageOptions? s3 = null)
    {
        DataDirectory = dataDirectory;
        EtcdEndpoints = etcdEndpoints;
        S3 = s3;
        ClusterGateways = [];
    }

    /// <summary>A factory that connects to the cluster at <paramref name="clusterGateways"/>.</summary>
    public ClientFactory(IReadOnlyList<string> clusterGateways)
    {
        DataDirectory = "";
        EtcdEndpoints = [];
        ClusterGateways = clusterGateways;
    }

    /// <summary>Silo URLs of a cluster to connect to; empty for the embedded service.</summary>
    public IReadOnlyList<string> ClusterGateways { get; }

    /// <summary>Where segments go when not under <see cref="DataDirectory"/>.</summary>
    public S3StorageOptions? S3 { get; }

    /// <summary>The embedded data directory, as the user gave it (used in messages).</summary>
    public string DataDirectory { get; }

    /// <summary>etcd client URLs; empty for the embedded SQLite metadata.</summary>
    public IReadOnlyList<string> EtcdEndpoints { get; }

    /// <summary>Starts a client. Dispose it to release the data directory.</summary>
    public Task<WoodpeckerClient> CreateAsync(CancellationToken cancellationToken) =>
        ClusterGateways.Count > 0 ? ConnectAsync(cancellationToken) : CreateEmbeddedAsync(cancellationToken);

    private async Task<WoodpeckerClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var options = new ClusterClientOptions { Gateways = [.. ClusterGateways] };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage($"--cluster: {ex.Message.Split(" (Parameter", 2)[0]}");
        }

        return await WoodpeckerClient.ConnectAsync(options, cancellationToken: cancellationToken);
    }

    private Task<WoodpeckerClient> CreateEmbeddedAsync(CancellationToken cancellationToken) =>
        WoodpeckerClient.CreateEmbeddedAsync(
            new EmbeddedSiloOptions
            {
                DataDirectory = DataDirectory,
                Etcd = EtcdEndpoints.Count == 0 ? null : new EtcdClientOptions { Endpoints = [.. EtcdEndpoints] },
                S3 = S3,
            },
            cancellationToken: cancellationToken);
}
