using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Woodpecker.Protocol.V1;
using Woodpecker.Silo.Embedded;
using Woodpecker.Silo.Gateway;
using Woodpecker.Transport;

namespace Woodpecker.Client.Tests;

/// <summary>
/// A one-silo gateway in the test process: an embedded silo on a temp directory served over real gRPC (Kestrel, h2c on
/// a free loopback port), with a ClusterService naming just this silo. <see cref="Serving"/> plays the cluster lease.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly WebApplication _web;
    private volatile bool _serving = true;

    private TestGateway(TempDirectory directory, EmbeddedSilo silo, WebApplication web, Uri address)
    {
        _directory = directory;
        Silo = silo;
        _web = web;
        Address = address;
    }

    public EmbeddedSilo Silo { get; }

    public Uri Address { get; }

    /// <summary>False as when the silo lost its lease: every call and every acknowledgement then fails Unavailable.</summary>
    public bool Serving
    {
        get => _serving;
        set => _serving = value;
    }

    public static async Task<TestGateway> StartAsync()
    {
        var directory = new TempDirectory();
        EmbeddedSilo? silo = null;
        try
        {
            silo = await EmbeddedSilo.StartAsync(Clients.Options(directory.Path));
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => GrpcKestrel.ListenH2c(kestrel, IPAddress.Loopback, 0));
            var web = builder.Build();
            TestGateway? gateway = null;
            web.MapGrpcService(LogServiceGrpc.Create(silo.Service, () => gateway!.Serving));
            web.MapGrpcService(new GrpcServiceDefinition("woodpecker.v1.ClusterService").AddUnary<GetMembersRequest, GetMembersResponse>(
                "GetMembers", GetMembersRequest.Parser, (_, _) =>
                {
                    var members = new GetMembersResponse { Revision = 1 };
                    members.Silos.Add(new SiloInfo { SiloId = "test-silo", Endpoint = gateway!.Address.ToString().TrimEnd('/') });
                    return Task.FromResult(members);
                }));
            await web.StartAsync();
            var bound = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            gateway = new TestGateway(directory, silo, web, new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
            return gateway;
        }
        catch
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    public Task<WoodpeckerClient> ConnectAsync(Action<ClusterClientOptions>? configure = null)
    {
        var options = new ClusterClientOptions
        {
            Gateways = [Address.ToString()],
            CallTimeout = TimeSpan.FromSeconds(10),
            MembershipRefreshInterval = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        return WoodpeckerClient.ConnectAsync(options);
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _web.StopAsync(stopping.Token);
        await _web.DisposeAsync();
        await Silo.DisposeAsync();
        _directory.Dispose();
    }
}
