using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Placement;
using Woodpecker.Protocol.V1;
using Woodpecker.Transport;

namespace Woodpecker.Client.Connections.Cluster;

/// <summary>
/// The client's view of the cluster and where each call goes. A log's calls go to the silo the placement function
/// picks for the log over the live silos (the same rendezvous hash silos place log grains with), so appends reach the
/// silo that hosts the log in one hop; any silo would still serve them, forwarding internally. A silo that fails a call
/// is avoided for a few seconds and the view is refreshed at once.
/// </summary>
internal sealed class GatewayRouter : IAsyncDisposable
{
    private static readonly TimeSpan AvoidFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MembersTimeout = TimeSpan.FromSeconds(3);

    private readonly ClusterClientOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _avoidUntil = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private Silo[] _silos = [];
    private long _revision = -1;
    private Task? _refreshLoop;
    private int _roundRobin;
    private string? _lastRefreshError;

    public GatewayRouter(ClusterClientOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>Loads the first view; fails when no gateway answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (_silos.Length == 0)
        {
            throw new ServiceUnavailableException(
                $"No Woodpecker silo answered at {string.Join(", ", _options.Gateways)} (last error: {_lastRefreshError ?? "none"}). " +
                "Check the addresses (ClusterClientOptions.Gateways or --cluster) and that the silos run.");
        }

        _refreshLoop = Task.Run(RefreshLoopAsync, CancellationToken.None);
    }

    /// <summary>The silo for calls about <paramref name="logName"/> (any live silo when null).</summary>
    public (Uri Endpoint, GrpcChannel Channel) Route(string? logName)
    {
        var silos = Volatile.Read(ref _silos);
        var now = Environment.TickCount64;
        var usable = silos.Where(s => !_avoidUntil.TryGetValue(s.Id, out var until) || until < now).ToArray();
        if (usable.Length == 0)
        {
            usable = silos;
        }

        if (usable.Length == 0)
        {
            var fallback = new Uri(_options.Gateways[Interlocked.Increment(ref _roundRobin) % _options.Gateways.Count]);
            return (fallback, ChannelFor(fallback));
        }

        var silo = logName is null
            ? usable[(int)((uint)Interlocked.Increment(ref _roundRobin) % usable.Length)]
            : usable[RendezvousHash.Pick(logName, usable.Select(s => s.Id).ToArray())];
        return (silo.Endpoint, ChannelFor(silo.Endpoint));
    }

    /// <summary>Avoids the silo at <paramref name="endpoint"/> for a while and refreshes the view in the background.</summary>
    public void ReportUnavailable(Uri endpoint)
    {
        foreach (var silo in Volatile.Read(ref _silos).Where(s => s.Endpoint == endpoint))
        {
            _avoidUntil[silo.Id] = Environment.TickCount64 + (long)AvoidFor.TotalMilliseconds;
        }

        if (!_stopping.IsCancellationRequested)
        {
            _ = RefreshAsync(_stopping.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_refreshLoop is not null)
        {
            await _refreshLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Wait out a refresh that ReportUnavailable started, and keep the gate: none may start (and create channels) after this.
        await _refreshing.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
        _stopping.Dispose();
    }

    private GrpcChannel ChannelFor(Uri endpoint) =>
        _channels.GetOrAdd(endpoint.ToString(), static (_, uri) => new GrpcChannel(uri), endpoint);

    private async Task RefreshLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.MembershipRefreshInterval, _stopping.Token).ConfigureAwait(false);
                await RefreshAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // RefreshAsync already tried every candidate; keep the last view and try again next round.
            }
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!await _refreshing.WaitAsync(0, CancellationToken.None).ConfigureAwait(false))
        {
            return; // a refresh is running already (or the router is disposed)
        }

        try
        {
            var candidates = Volatile.Read(ref _silos).OrderBy(s => _avoidUntil.ContainsKey(s.Id)).Select(s => s.Endpoint)
                .Concat(_options.Gateways.Select(g => new Uri(g)))
                .Distinct()
                .ToArray();
            foreach (var endpoint in candidates)
            {
                try
                {
                    var members = await ChannelFor(endpoint).UnaryAsync(
                        "/woodpecker.v1.ClusterService/GetMembers", new GetMembersRequest(), GetMembersResponse.Parser,
                        new GrpcCallOptions(MembersTimeout, cancellationToken)).ConfigureAwait(false);
                    if (members.Revision >= _revision && members.Silos.Count > 0)
                    {
                        var silos = members.Silos.Select(s => new Silo(s.SiloId, new Uri(s.Endpoint))).OrderBy(s => s.Id, StringComparer.Ordinal).ToArray();
                        if (members.Revision != _revision && _logger.IsEnabled(LogLevel.Information))
                        {
                            _logger.LogInformation(
                                "Cluster view at revision {Revision} (from {Gateway}): {Silos}",
                                members.Revision, endpoint, string.Join(", ", silos.Select(s => $"{s.Id}={s.Endpoint}")));
                        }

                        _revision = members.Revision;
                        Volatile.Write(ref _silos, silos);
                        Retain(silos);
                    }

                    _lastRefreshError = null;
                    return;
                }
                catch (Exception error) when (error is GrpcStatusException or ObjectDisposedException or UriFormatException)
                {
                    // Unreachable, not serving, or an endpoint we cannot parse: try the next candidate.
                    _lastRefreshError = $"{endpoint}: {error.Message}";
                    if (_logger.IsEnabled(LogLevel.Debug))
                    {
                        _logger.LogDebug("Could not get the cluster's members from {Gateway}: {Error}", endpoint, error.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _refreshing.Release();
        }

        if (_lastRefreshError is { } failed && Volatile.Read(ref _silos).Length > 0)
        {
            _logger.LogWarning("No silo answered GetMembers; keeping the cluster view of revision {Revision}. Last error: {Error}", _revision, failed);
        }
    }

    private void Retain(Silo[] silos)
    {
        var live = silos.Select(s => s.Endpoint.ToString()).Concat(_options.Gateways.Select(g => new Uri(g).ToString())).ToHashSet(StringComparer.Ordinal);
        foreach (var (endpoint, channel) in _channels)
        {
            if (!live.Contains(endpoint) && _channels.TryRemove(new KeyValuePair<string, GrpcChannel>(endpoint, channel)))
            {
                channel.Dispose();
            }
        }
    }

    private sealed record Silo(string Id, Uri Endpoint);
}
