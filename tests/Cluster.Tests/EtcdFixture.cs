using Woodpecker.Etcd;
using Woodpecker.Metadata.Etcd;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Cluster.Tests;

/// <summary>One real etcd server for a test class; each test uses its own key prefix.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _server;

    public EtcdServer Server => _server ?? throw new InvalidOperationException("etcd is not started.");

    public string Endpoint => Server.Endpoint;

    public async Task InitializeAsync() => _server = await EtcdServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public EtcdMetadataStore CreateStore() => new(new EtcdClientOptions { Endpoints = [Endpoint] });

    public static string NewPrefix() => $"/t-{Guid.NewGuid():N}"[..14];
}
