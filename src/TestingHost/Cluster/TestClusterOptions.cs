using Microsoft.Extensions.Logging;
using Woodpecker.Silo.Cluster;

namespace Woodpecker.TestingHost.Cluster;

/// <summary>How <see cref="TestCluster"/> starts.</summary>
public sealed class TestClusterOptions
{
    /// <summary>Silos started at once (default 3).</summary>
    public int InitialSilos { get; set; } = 3;

    /// <summary>etcd client URLs to use; null starts a private etcd server for the cluster (and stops it at the end).</summary>
    public IList<string>? EtcdEndpoints { get; set; }

    /// <summary>Shared segment directory of the silos; null uses a temporary directory removed at the end.</summary>
    public string? StorageDirectory { get; set; }

    /// <summary>Silo lease TTL (default 3 s, the production default; lower it only together with etcd's election timeout).</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Adjusts each silo's options before it starts (the argument is the silo's ordinal: 0, 1, 2, ...).</summary>
    public Action<int, ClusterSiloOptions>? ConfigureSilo { get; set; }

    /// <summary>Logging for the silos; null for none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
