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
using Woodpecker.TestingHost;
using Woodpecker.Transport;
using Xunit;

namespace Woodpecker.Cli.Tests;

/// <summary>`wp --cluster` (and $WOODPECKER_CLUSTER): every command against a gateway instead of the embedded service.</summary>
public sealed class ClusterOptionTests
{
    [Fact]
    public async Task Commands_run_against_the_cluster_and_not_the_data_directory()
    {
        using var silo = new TempDirectory();
        using var data = new TempDirectory();
        await using var gateway = await OneSiloGateway.StartAsync(silo.Path);

        Assert.Equal(0, (await Wp.In(data.Path, "--cluster", gateway.Address, "log", "create", "orders")).ExitCode);
        var appended = await Wp.In(data.Path, "--cluster", gateway.Address, "append", "orders", "first", "second");
        Assert.Equal(0, appended.ExitCode);
        Assert.Equal(2, appended.Lines.Length);

        // The environment variable works the same way.
        var read = await Wp.Run(["read", "orders", "--from", "earliest"], environment: new Dictionary<string, string> { ["WOODPECKER_CLUSTER"] = gateway.Address });
        Assert.Equal(0, read.ExitCode);
        Assert.Equal([$"{appended.Lines[0]}\tfirst", $"{appended.Lines[1]}\tsecond"], read.Lines);

        Assert.False(Directory.EnumerateFileSystemEntries(data.Path).Any(), "--cluster must not start the embedded service in --data");
    }

    [Fact]
    public async Task A_gateway_that_is_not_a_url_is_a_usage_error()
    {
        var result = await Wp.Run(["--cluster", "silo1:7400", "log", "list"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cluster", result.Error, StringComparison.Ordinal);
        Assert.Contains("http://", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_answering_gateway_is_one_clear_error_line()
    {
        var address = $"http://127.0.0.1:{FreePorts.Next()}";
        var result = await Wp.Run(["--cluster", address, "log", "list"]).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(address, line, StringComparison.Ordinal);
    }

    /// <summary>An embedded silo served over gRPC on a free loopback port, with a ClusterService naming just itself.</summary>
    private sealed class OneSiloGateway : IAsyncDisposable
    {
        private readonly EmbeddedSilo _silo;
        private readonly WebApplication _web;

        private OneSiloGateway(EmbeddedSilo silo, WebApplication web, string address)
        {
            _silo = silo;
            _web = web;
            Address = address;
        }

        public string Address { get; }

        public static async Task<OneSiloGateway> StartAsync(string directory)
        {
            var silo = await EmbeddedSilo.StartAsync(new EmbeddedSiloOptions { DataDirectory = directory });
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => GrpcKestrel.ListenH2c(kestrel, IPAddress.Loopback, 0));
            var web = builder.Build();
            string? address = null;
            web.MapGrpcService(LogServiceGrpc.Create(silo.Service, () => true));
            web.MapGrpcService(new GrpcServiceDefinition("woodpecker.v1.ClusterService").AddUnary<GetMembersRequest, GetMembersResponse>(
                "GetMembers", GetMembersRequest.Parser, (_, _) =>
                {
                    var members = new GetMembersResponse { Revision = 1 };
                    members.Silos.Add(new SiloInfo { SiloId = "cli-test-silo", Endpoint = address! });
                    return Task.FromResult(members);
                }));
            await web.StartAsync();
            var bound = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            address = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).ToString().TrimEnd('/');
            return new OneSiloGateway(silo, web, address);
        }

        public async ValueTask DisposeAsync()
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _web.StopAsync(stopping.Token);
            await _web.DisposeAsync();
            await _silo.DisposeAsync();
        }
    }
}
