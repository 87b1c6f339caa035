using Woodpecker.TestingHost;

namespace Woodpecker.Cluster.Tests;

/// <summary>A real woodpecker-silo process (src/SiloHost) on loopback, configured through its command line.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private SiloProcess(ChildProcess process, string siloId, int port, int healthPort)
    {
        Process = process;
        SiloId = siloId;
        Port = port;
        HealthPort = healthPort;
    }

    public ChildProcess Process { get; }

    public string SiloId { get; }

    public int Port { get; }

    public int HealthPort { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public static async Task<SiloProcess> StartAsync(string etcdEndpoint, string keyPrefix, string dataDirectory, string siloId, string zone = "")
    {
        var port = FreePorts.Next();
        var healthPort = FreePorts.Next();
        var process = ChildProcess.Start(
            ChildProcess.FindProgram(typeof(SiloProcess).Assembly, "SiloHostPath"),
            $"--Woodpecker:Silo:SiloId={siloId}",
            "--Woodpecker:Silo:ListenAddress=127.0.0.1",
            $"--Woodpecker:Silo:Port={port}",
            $"--Woodpecker:Silo:HealthPort={healthPort}",
            $"--Woodpecker:Silo:AdvertisedEndpoint=http://127.0.0.1:{port}",
            $"--Woodpecker:Silo:Zone={zone}",
            $"--Woodpecker:Cluster:KeyPrefix={keyPrefix}",
            $"--Woodpecker:Etcd:Endpoints:0={etcdEndpoint}",
            "--Woodpecker:Storage:Backend=local",
            $"--Woodpecker:Storage:Local:Directory={dataDirectory}",
            $"--Woodpecker:Log:MetadataKeyPrefix={keyPrefix}/logs/",
            "--Logging:LogLevel:Default=Information");
        var silo = new SiloProcess(process, siloId, port, healthPort);
        try
        {
            await process.WaitForLineAsync(line => line.Contains("serving at", StringComparison.Ordinal), TimeSpan.FromSeconds(60), $"silo {siloId} to start");
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
