using System.Collections.Concurrent;
using Woodpecker.Cluster.Membership;
using Woodpecker.Transport;

namespace Woodpecker.Cluster.Messaging;

/// <summary>One gRPC channel (HTTP/2 connection pool) per remote silo, dropped when the silo leaves the view.</summary>
internal sealed class SiloConnections : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly GrpcChannelOptions _options;

    public SiloConnections(GrpcChannelOptions options) => _options = options;

    public GrpcChannel For(SiloInfo silo) =>
        _channels.GetOrAdd(silo.SiloId, static (_, state) => new GrpcChannel(state.Endpoint, state.Options), (silo.Endpoint, Options: _options));

    public void Retain(MembershipView view)
    {
        foreach (var (siloId, channel) in _channels)
        {
            if (!view.Contains(siloId) && _channels.TryRemove(new KeyValuePair<string, GrpcChannel>(siloId, channel)))
            {
                channel.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }
}
