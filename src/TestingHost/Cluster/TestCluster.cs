using Woodpecker.Client;
using Woodpecker.Etcd;
using Woodpecker.Runtime;
using Woodpecker.Silo.Cluster;

namespace Woodpecker.TestingHost.Cluster;

/// <summary>
/// A multi-silo cluster inside the test process (what Orleans.TestingHost gives Orleans users): silos are real
/// <see cref="ClusterSilo"/>s with their own gRPC endpoints on loopback, membership and directory in a real etcd, segments in
/// a shared directory. Start, stop gracefully, kill (crash-like: the lease is abandoned, not revoked) or restart silos,
/// wait until membership settles, and get clients. Every cluster uses its own etcd key prefix, so clusters can share an etcd.
/// <code>
/// await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { InitialSilos = 3 });
/// await using var client = await cluster.CreateClientAsync();
/// </code>
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly EtcdServer? _etcd;
    private readonly TestDirectory? _directory;
    private readonly List<ClusterSilo> _silos = [];
    private readonly Lock _gate = new();
    private int _nextOrdinal;

    private TestCluster(TestClusterOptions options, EtcdServer? etcd, TestDirectory? directory, IList<string> etcdEndpoints, string storageDirectory)
    {
        _options = options;
        _etcd = etcd;
        _directory = directory;
        EtcdEndpoints = etcdEndpoints;
        StorageDirectory = storageDirectory;
        KeyPrefix = $"/wp-test-{Guid.NewGuid():N}"[..20];
    }

    /// <summary>The etcd the cluster uses.</summary>
    public IList<string> EtcdEndpoints { get; }

    /// <summary>The etcd server the cluster started, or null when it uses given endpoints.</summary>
    public EtcdServer? Etcd => _etcd;

    /// <summary>The segment directory every silo shares.</summary>
    public string StorageDirectory { get; }

    /// <summary>This cluster's etcd key prefix.</summary>
    public string KeyPrefix { get; }

    /// <summary>The silos running now, in start order.</summary>
    public IReadOnlyList<ClusterSilo> Silos
    {
        get
        {
            lock (_gate)
            {
                return _silos.ToArray();
            }
        }
    }

    /// <summary>Their gRPC endpoints (what clients are given).</summary>
    public IReadOnlyList<string> Gateways => Silos.Select(s => s.Endpoint.ToString().TrimEnd('/')).ToArray();

    /// <summary>Starts etcd (unless given) and the initial silos, and waits until every silo sees all of them.</summary>
    public static async Task<TestCluster> StartAsync(TestClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestClusterOptions();
        EtcdServer? etcd = null;
        TestDirectory? directory = null;
        if (options.EtcdEndpoints is null)
        {
            etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
        }

        if (options.StorageDirectory is null)
        {
            directory = new TestDirectory("wp-cluster");
        }

        var cluster = new TestCluster(options, etcd, directory, options.EtcdEndpoints ?? [etcd!.Endpoint], options.StorageDirectory ?? directory!.Path);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, options.InitialSilos).Select(_ => cluster.StartSiloAsync(cancellationToken))).ConfigureAwait(false);
            await cluster.WaitForMembershipAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts one more silo.</summary>
    public async Task<ClusterSilo> StartSiloAsync(CancellationToken cancellationToken = default)
    {
        var ordinal = Interlocked.Increment(ref _nextOrdinal) - 1;
        var options = new ClusterSiloOptions
        {
            ListenAddress = "127.0.0.1",
            Port = 0,
            HealthPort = 0,
            Etcd = new EtcdClientOptions { Endpoints = [.. EtcdEndpoints] },
            DataDirectory = StorageDirectory,
            Cluster = { SiloId = $"silo{ordinal}-{Guid.NewGuid():N}"[..14], KeyPrefix = KeyPrefix, LeaseTtl = _options.LeaseTtl },
        };
        options.Log.MetadataKeyPrefix = KeyPrefix + "/logs/";
        _options.ConfigureSilo?.Invoke(ordinal, options);
        var silo = await ClusterSilo.StartAsync(options, _options.LoggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    /// <summary>Stops a silo gracefully (its grains deactivate and it leaves the cluster at once).</summary>
    public async Task StopSiloAsync(ClusterSilo silo)
    {
        Forget(silo);
        await silo.StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops a silo like a crash: connections are cut, nothing is deactivated, and its lease is abandoned, so the other
    /// silos notice only when it expires (<see cref="TestClusterOptions.LeaseTtl"/>).
    /// </summary>
    public async Task KillSiloAsync(ClusterSilo silo)
    {
        Forget(silo);
        await silo.KillAsync().ConfigureAwait(false);
    }

    /// <summary>Kills (or stops, when <paramref name="graceful"/>) a silo and starts a fresh one in its place.</summary>
    public async Task<ClusterSilo> RestartSiloAsync(ClusterSilo silo, bool graceful = false)
    {
        if (graceful)
        {
            await StopSiloAsync(silo).ConfigureAwait(false);
        }
        else
        {
            await KillSiloAsync(silo).ConfigureAwait(false);
        }

        return await StartSiloAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until every running silo's view holds exactly the running silos (departed ones' leases expired).</summary>
    public async Task WaitForMembershipAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var silos = Silos;
        var expected = silos.Select(s => s.SiloId).Order(StringComparer.Ordinal).ToArray();
        await Task.WhenAll(silos.Select(s => s.Membership.WaitForViewAsync(view => view.SiloIds.SequenceEqual(expected), timeout, cancellationToken)))
            .ConfigureAwait(false);
    }

    /// <summary>The silo holding <paramref name="grain"/>'s activation right now, or null.</summary>
    public ClusterSilo? FindActivation(GrainId grain) => Silos.FirstOrDefault(s => s.Host.Runtime.IsActive(grain));

    /// <summary>The silo holding the activation of the log grain of <paramref name="logName"/>, or null when it is not active.</summary>
    public ClusterSilo? FindLogOwner(string logName) => FindActivation(new GrainId(Grains.Logs.LogGrainInterface.Descriptor.TypeName, logName));

    /// <summary>A client connected to the cluster through every running silo.</summary>
    public Task<WoodpeckerClient> CreateClientAsync(CancellationToken cancellationToken = default) =>
        WoodpeckerClient.ConnectAsync(new ClusterClientOptions { Gateways = [.. Gateways] }, cancellationToken: cancellationToken);

    /// <summary>Stops every silo gracefully, then etcd (if started here) and the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            try
            {
                await StopSiloAsync(silo).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Tear-down keeps going; a stuck silo must not leave etcd or files behind.
            catch (Exception)
#pragma warning restore CA1031
            {
                await silo.KillAsync().ConfigureAwait(false);
            }
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync().ConfigureAwait(false);
        }

        _directory?.Dispose();
    }

    private void Forget(ClusterSilo silo)
    {
        lock (_gate)
        {
            _silos.Remove(silo);
        }
    }
}
