using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Cluster.Directory;
using Woodpecker.Cluster.Membership;
using Woodpecker.Cluster.Messaging;
using Woodpecker.Cluster.Placement;
using Woodpecker.Cluster.Routing;
using Woodpecker.Grains.Hosting;
using Woodpecker.Grains.Logs;
using Woodpecker.Grains.Segments;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Etcd;
using Woodpecker.Silo.Diagnostics;
using Woodpecker.Silo.Gateway;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Local;
using Woodpecker.Storage.S3;
using Woodpecker.Transport;

namespace Woodpecker.Silo.Cluster;

/// <summary>
/// A silo that is a member of a cluster: it joins membership on an etcd lease, claims activations in the etcd grain
/// directory, routes grain calls to other silos, and serves the public gRPC API, the silo-to-silo endpoint and the
/// cluster view on one HTTP/2 port (plus /healthz and /metrics on an HTTP/1.1 port). If it cannot renew its lease in
/// time it stops serving at once and drops its activations (<see cref="Faulted"/> completes); the host then exits.
/// </summary>
public sealed class ClusterSilo : IAsyncDisposable
{
    private readonly ClusterSiloOptions _options;
    private readonly ILogger _logger;
    private readonly IMetadataStore _metadata;
    private readonly ISegmentStorage _storage;
    private WebApplication? _web;
    private readonly ClusterMembership _membership;
    private readonly ClusterGrainCallInvoker _invoker;
    private readonly MetricsCollector _metrics;
    private readonly TaskCompletionSource<string> _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;

    private ClusterSilo(
        ClusterSiloOptions options, ILogger logger, IMetadataStore metadata, ISegmentStorage storage,
        ClusterMembership membership, ClusterGrainCallInvoker invoker, LogServiceHost host, MetricsCollector metrics)
    {
        _options = options;
        _logger = logger;
        _metadata = metadata;
        _storage = storage;
        _membership = membership;
        _invoker = invoker;
        Host = host;
        _metrics = metrics;
        membership.LeaseLost.Register(() => _ = OnLeaseLostAsync());
    }

    /// <summary>This silo's id.</summary>
    public string SiloId => _membership.LocalSilo.SiloId;

    /// <summary>Where clients and silos reach this silo's gRPC endpoint.</summary>
    public Uri Endpoint => _membership.LocalSilo.Endpoint;

    /// <summary>The health endpoint's base URL, or null when disabled.</summary>
    public Uri? HealthEndpoint { get; private set; }

    /// <summary>The log domain on this silo.</summary>
    public LogServiceHost Host { get; }

    /// <summary>This silo's membership (view of the cluster, lease state).</summary>
    public ClusterMembership Membership => _membership;

    /// <summary>True while the silo may act for its grains (lease valid, not stopping).</summary>
    public bool IsServing => _membership.IsServing && Volatile.Read(ref _stopped) == 0;

    /// <summary>Completes with the reason when the silo stopped serving on its own (lease lost).</summary>
    public Task<string> Faulted => _faulted.Task;

    /// <summary>Starts the silo and joins the cluster.</summary>
    public static async Task<ClusterSilo> StartAsync(
        ClusterSiloOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        timeProvider ??= TimeProvider.System;
        var logger = loggerFactory.CreateLogger<ClusterSilo>();
        EtcdMetadataStore? metadata = null;
        ISegmentStorage? storage = null;
        ClusterMembership? membership = null;
        LogServiceHost? host = null;
        var metrics = new MetricsCollector();
        try
        {
            metadata = new EtcdMetadataStore(options.Etcd, timeProvider, loggerFactory.CreateLogger<EtcdMetadataStore>());
            storage = options.S3 is { } s3
                ? await S3SegmentStorage.StartAsync(s3, timeProvider, loggerFactory.CreateLogger<S3SegmentStorage>(), cancellationToken).ConfigureAwait(false)
                : new LocalSegmentStorage(WithRoot(options));

            var grpcPort = ResolvePort(options.ListenAddress, options.Port);
            var healthPort = options.HealthPort < 0 ? -1 : ResolvePort(options.ListenAddress, options.HealthPort);
            var clusterOptions = options.Cluster;
            if (string.IsNullOrEmpty(clusterOptions.Endpoint))
            {
                var advertised = IPAddress.Parse(options.ListenAddress).Equals(IPAddress.Any) ? Dns.GetHostName() : options.ListenAddress;
                clusterOptions.Endpoint = $"http://{advertised}:{grpcPort}";
            }

            membership = await ClusterMembership.JoinAsync(metadata, clusterOptions, timeProvider, loggerFactory.CreateLogger<ClusterMembership>(), cancellationToken)
                .ConfigureAwait(false);
            var directory = new EtcdGrainDirectory(metadata, membership, clusterOptions);
            var placement = new PlacementPolicy()
                .Use(LogGrainInterface.Descriptor.TypeName, new HashPlacement())
                .Use(SegmentGrainInterface.Descriptor.TypeName, new PreferLocalPlacement());
            ClusterGrainCallInvoker? invoker = null;
            var joined = membership;
            host = await LogServiceHost.StartAsync(
                metadata, storage, options.Log, options.Runtime, timeProvider, loggerFactory,
                local => invoker = new ClusterGrainCallInvoker(
                    local, joined, placement, WoodpeckerErrorCodec.Instance, clusterOptions, options.Runtime.DefaultCallTimeout,
                    timeProvider: timeProvider, logger: loggerFactory.CreateLogger<ClusterGrainCallInvoker>()),
                directory,
                cancellationToken).ConfigureAwait(false);
            var runtime = host.Runtime;
            membership.SetLoadSource(() => runtime.ActivationCount);
            var silo = new ClusterSilo(options, logger, metadata, storage, membership, invoker!, host, metrics)
            {
                HealthEndpoint = healthPort < 0 ? null : new Uri($"http://{LoopbackOr(options.ListenAddress)}:{healthPort}"),
            };
            try
            {
                silo._web = silo.BuildWeb(loggerFactory, grpcPort, healthPort);
                await silo._web.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await silo.StopAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            SiloLog.Started(logger, silo.SiloId, silo.Endpoint, membership.View.Silos.Count);
            return silo;
        }
        catch
        {
            if (host is not null)
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (membership is not null)
            {
                await membership.DisposeAsync().ConfigureAwait(false);
            }

            if (storage is not null)
            {
                await storage.DisposeAsync().ConfigureAwait(false);
            }

            if (metadata is not null)
            {
                await metadata.DisposeAsync().ConfigureAwait(false);
            }

            metrics.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Leaves gracefully: leaves the view at once (nobody places new grains here), deactivates every grain (completing
    /// active segments and releasing directory entries), then stops the endpoints and revokes the lease.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        SiloLog.Stopping(_logger, SiloId);
        await _membership.LeaveAsync(cancellationToken).ConfigureAwait(false);
        await Host.StopAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseAsync(graceful: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops like a crash, for the in-process test cluster: no deactivation, no leaving, the lease is not revoked — other
    /// silos find out only when it expires. Connections are cut at once.
    /// </summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _membership.AbandonAsync().ConfigureAwait(false);
        await Host.Runtime.AbortAsync(new SiloNotServingException(SiloId, "killed")).ConfigureAwait(false);
        await ReleaseAsync(graceful: false).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task ReleaseAsync(bool graceful)
    {
        if (_web is { } web)
        {
            using (var stopWeb = new CancellationTokenSource(graceful ? TimeSpan.FromSeconds(2) : TimeSpan.Zero))
            {
                await web.StopAsync(stopWeb.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await web.DisposeAsync().ConfigureAwait(false);
        }

        _invoker.Dispose();
        if (graceful)
        {
            await _membership.DisposeAsync().ConfigureAwait(false);
        }

        await _storage.DisposeAsync().ConfigureAwait(false);
        await _metadata.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }

    private async Task OnLeaseLostAsync()
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            return;
        }

        // Another silo may own our grains already: drop them without deactivating (no flush, no metadata write) and
        // refuse everything. The host process exits on Faulted; an orchestrator restarts it as a new silo.
        SiloLog.LeaseLost(_logger, SiloId);
        await Host.Runtime.AbortAsync(new SiloNotServingException(SiloId, "it lost its cluster lease")).ConfigureAwait(false);
        _faulted.TrySetResult($"silo {SiloId} lost its cluster lease (not renewed within {_options.Cluster.LeaseTtl})");
    }

    private static LocalStorageOptions WithRoot(ClusterSiloOptions options)
    {
        options.Storage.RootDirectory = Path.Combine(Path.GetFullPath(options.DataDirectory), "segments");
        return options.Storage;
    }

    private static string LoopbackOr(string address) => IPAddress.Parse(address).Equals(IPAddress.Any) ? "127.0.0.1" : address;

    private static int ResolvePort(string listenAddress, int port)
    {
        if (port != 0)
        {
            return port;
        }

        // The advertised endpoint must be known before the silo joins, and it joins before its endpoints serve (they need
        // the runtime): so choose the free port up front. Another process could take it in between; then start fails.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Parse(listenAddress), 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private WebApplication BuildWeb(ILoggerFactory loggerFactory, int grpcPort, int healthPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        var address = IPAddress.Parse(_options.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            GrpcKestrel.TuneHttp2(kestrel);
            kestrel.Listen(address, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            if (healthPort >= 0)
            {
                kestrel.Listen(address, healthPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        var web = builder.Build();
        web.MapGet("/healthz", (HttpContext context) =>
        {
            var serving = IsServing;
            context.Response.StatusCode = serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return context.Response.WriteAsync(serving ? "serving\n" : "not serving\n");
        });
        web.MapGet("/metrics", () => Results.Text(
            _metrics.Render() +
            $"woodpecker_silo_activations {Host.Runtime.ActivationCount}\nwoodpecker_silo_members {_membership.View.Silos.Count}\nwoodpecker_silo_serving {(IsServing ? 1 : 0)}\n",
            "text/plain"));
        web.MapGrpcService(LogServiceGrpc.Create(Host.Service, () => IsServing));
        web.MapGrpcService(ClusterServiceGrpc.Create(_membership));
        web.MapGrpcService(SiloMessagingService.Create(Host.Runtime, _membership, WoodpeckerErrorCodec.Instance));
        return web;
    }
}
