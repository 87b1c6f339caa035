using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Woodpecker.Transport.Tests.Protos;
using Xunit;

namespace Woodpecker.Transport.Tests;

/// <summary>https:// channels: HTTP/2 over TLS (ALPN h2) to a Kestrel endpoint with a self-signed certificate.</summary>
public sealed class TlsTests
{
    [Fact(Timeout = 30_000)]
    public async Task Unary_and_duplex_over_tls()
    {
        using var certificate = SelfSigned();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => GrpcKestrel.ListenH2c(kestrel, IPAddress.Loopback, 0, certificate));
        await using var app = builder.Build();
        app.MapGrpcService(new GrpcServiceDefinition("test.Tls")
            .AddUnary<Ping, Pong>("Echo", Ping.Parser, (ping, _) => Task.FromResult(new Pong { Text = ping.Text }))
            .AddDuplexStreaming<Ping, Pong>("Chat", Ping.Parser, async (requests, responses, context) =>
            {
                await foreach (var ping in requests.ReadAllAsync(context.CancellationToken))
                {
                    await responses.WriteAsync(new Pong { Number = ping.Number });
                }
            }));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString() },
        };
        using var channel = new GrpcChannel(new Uri($"https://localhost:{port}"), new GrpcChannelOptions { Handler = handler });

        var pong = await channel.UnaryAsync("/test.Tls/Echo", new Ping { Text = "secure" }, Pong.Parser).WaitAsync(TimeSpan.FromSeconds(10));
        await using var chat = channel.Duplex<Ping, Pong>("/test.Tls/Chat", Pong.Parser);
        await chat.WriteAsync(new Ping { Number = 7 });
        var echoed = await chat.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await chat.CompleteRequestsAsync();

        Assert.Equal("secure", pong.Text);
        Assert.Equal(7, echoed?.Number);
        Assert.Null(await chat.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await app.StopAsync();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        // Kestrel needs the private key in a form SslStream can use on Linux: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
