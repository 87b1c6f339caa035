using System.Diagnostics;

namespace Woodpecker.TestingHost;

/// <summary>
/// A real etcd server (Debian's etcd-server package) on free loopback ports with its own temporary data directory.
/// Can be killed, paused and restarted on the same ports and data to test failures. Fails — never skips — when
/// etcd is not installed: run ./scripts/test.sh, which installs it.
/// </summary>
public sealed class EtcdServer : TestServer
{
    // Only for polling /health while the server starts; a TLS test server's certificate is the test's own.
    private static readonly HttpClient Http = new(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };
    private readonly int _peerPort = FreePorts.Next();

    private readonly EtcdServerOptions _options;

    private EtcdServer(EtcdServerOptions options)
        : base("etcd", "wp-etcd")
    {
        _options = options;
        ClientPort = FreePorts.Next();
    }

    /// <summary>The client port on 127.0.0.1.</summary>
    public int ClientPort { get; }

    /// <summary>The client URL.</summary>
    public string Endpoint => $"{(_options.CertificateFile is null ? "http" : "https")}://127.0.0.1:{ClientPort}";

    /// <summary>Starts a server and waits until it is healthy.</summary>
    public static async Task<EtcdServer> StartAsync(EtcdServerOptions? options = null)
    {
        var server = new EtcdServer(options ?? new EtcdServerOptions());
        try
        {
            await server.StartServerAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Finds the etcd binary, or explains how to install it.</summary>
    public static string FindBinary()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("WOODPECKER_ETCD");
        var candidates = new[] { fromEnvironment, "/usr/bin/etcd", "/usr/local/bin/etcd" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => System.IO.Path.Combine(p, "etcd")));
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c))
            ?? throw new InvalidOperationException(
                "etcd is not installed, and tests that need a real etcd cannot run. Run ./scripts/test.sh (it installs Debian's " +
                "etcd-server package), or install etcd 3.4+ and put it on PATH (or set WOODPECKER_ETCD).");
    }

    /// <inheritdoc />
    protected override async Task StartServerAsync()
    {
        var peer = $"http://127.0.0.1:{_peerPort}";
        var start = new ProcessStartInfo(FindBinary());
        foreach (var argument in new[]
        {
            "--name", "wp-test",
            "--data-dir", System.IO.Path.Combine(Directory.Path, "data"),
            "--listen-client-urls", Endpoint,
            "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"wp-test={peer}",
            "--initial-cluster-state", "new",
            "--logger", "zap",
            "--log-level", "error",
            "--heartbeat-interval", "50",
            "--election-timeout", "500",
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (_options.CertificateFile is not null)
        {
            start.ArgumentList.Add("--cert-file");
            start.ArgumentList.Add(_options.CertificateFile);
            start.ArgumentList.Add("--key-file");
            start.ArgumentList.Add(_options.KeyFile ?? throw new InvalidOperationException("EtcdServerOptions.KeyFile is required with a certificate."));
        }

        await StartProcessAsync(start, async () =>
        {
            var health = await Http.GetStringAsync(new Uri($"{Endpoint}/health")).ConfigureAwait(false);
            return health.Contains("\"true\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), Endpoint).ConfigureAwait(false);
    }
}
