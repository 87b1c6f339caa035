using System.Net.Http.Json;
using Woodpecker.Etcd.Protocol;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Etcd.Tests;

/// <summary>Username/password authentication and TLS against a real etcd.</summary>
public sealed class EtcdSecurityTests
{
    [Fact]
    public async Task With_auth_enabled_only_a_client_with_the_right_credentials_gets_in()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await EnableAuthAsync(etcd.Endpoint, "root", "s3cret");

        using var anonymous = new EtcdClient(new EtcdClientOptions { Endpoints = [etcd.Endpoint] });
        var refused = await Assert.ThrowsAsync<EtcdException>(() => anonymous.PutAsync(new PutRequest { Key = "k"u8.ToArray(), Value = "v"u8.ToArray() }));
        Assert.Equal(EtcdErrorKind.Unauthorized, refused.Kind);

        using var wrong = new EtcdClient(new EtcdClientOptions { Endpoints = [etcd.Endpoint], Username = "root", Password = "guess" });
        var badPassword = await Assert.ThrowsAsync<EtcdException>(() => wrong.RangeAsync(new RangeRequest { Key = "k"u8.ToArray() }));
        Assert.Equal(EtcdErrorKind.Unauthorized, badPassword.Kind);
        Assert.Contains("credentials of user 'root'", badPassword.Message, StringComparison.Ordinal);

        using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [etcd.Endpoint], Username = "root", Password = "s3cret" });
        await client.PutAsync(new PutRequest { Key = "k"u8.ToArray(), Value = "v"u8.ToArray() });
        Assert.Single((await client.RangeAsync(new RangeRequest { Key = "k"u8.ToArray() })).Kvs);
    }

    [Fact]
    public async Task Over_tls_the_client_trusts_the_configured_ca_and_refuses_an_unknown_one()
    {
        using var directory = new TestDirectory("wp-tls");
        var certificates = TestCertificates.Create(directory.Path);
        await using var etcd = await EtcdServer.StartAsync(new EtcdServerOptions { CertificateFile = certificates.CertificateFile, KeyFile = certificates.KeyFile });
        Assert.StartsWith("https://", etcd.Endpoint, StringComparison.Ordinal);

        using var trusting = new EtcdClient(new EtcdClientOptions { Endpoints = [etcd.Endpoint], TrustedCaFile = certificates.CaFile });
        await trusting.PutAsync(new PutRequest { Key = "tls"u8.ToArray(), Value = "ok"u8.ToArray() });

        using var untrusting = new EtcdClient(new EtcdClientOptions { Endpoints = [etcd.Endpoint], MaxAttempts = 1 });
        var error = await Assert.ThrowsAsync<EtcdException>(() => untrusting.RangeAsync(new RangeRequest { Key = "tls"u8.ToArray() }));
        Assert.Equal(EtcdErrorKind.Unavailable, error.Kind);
    }

    private static async Task EnableAuthAsync(string endpoint, string user, string password)
    {
        using var http = new HttpClient { BaseAddress = new Uri(endpoint + "/") };
        foreach (var (path, body) in new (string, object)[]
        {
            ("v3/auth/role/add", new { name = "root" }),
            ("v3/auth/user/add", new { name = user, password }),
            ("v3/auth/user/grant", new { user, role = "root" }),
            ("v3/auth/enable", new { }),
        })
        {
            using var response = await http.PostAsJsonAsync(path, body);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
