using System.Diagnostics;
using System.Text.Json;
using Woodpecker.TestingHost.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Woodpecker.Cluster.Tests;

/// <summary>
/// Any language's gRPC stubs work: an independent client in Node.js (@grpc/grpc-js and @grpc/proto-loader from the
/// repository's package-lock.json, generated at run time from protos/woodpecker/v1) creates a log, appends and tails it
/// through a silo of a real cluster.
/// </summary>
public sealed class NodeInteropTests(EtcdFixture etcd, ITestOutputHelper output) : IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task A_nodejs_grpc_client_creates_appends_and_tails_a_log_through_a_silo()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { EtcdEndpoints = [etcd.Endpoint], InitialSilos = 2 });
        var root = RepositoryRoot();
        foreach (var silo in cluster.Silos)
        {
            var logName = $"interop-{silo.SiloId}";
            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = root,
            };
            foreach (var argument in new[]
            {
                Path.Combine(root, "tests", "Interop", "node", "interop-client.js"),
                "--address", $"{silo.Endpoint.Host}:{silo.Endpoint.Port}",
                "--log", logName,
                "--count", "50",
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node; install Node.js (scripts/test.sh does).");
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await node.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
                throw new TimeoutException($"The Node.js client did not finish within 90 s. stderr: {await stderr}");
            }

            var lastLine = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            output.WriteLine($"{silo.SiloId}: {lastLine}");
            Assert.True(node.ExitCode == 0, $"The Node.js client failed (exit {node.ExitCode}): {lastLine}\n{await stderr}");
            using var result = JsonDocument.Parse(lastLine);
            Assert.True(result.RootElement.GetProperty("ok").GetBoolean());
            Assert.True(result.RootElement.GetProperty("appended").GetInt32() >= 50);
            Assert.Equal(result.RootElement.GetProperty("appended").GetInt32(), result.RootElement.GetProperty("tailed").GetInt32());

            // The .NET client sees what the Node client wrote.
            await using var client = await cluster.CreateClientAsync();
            Assert.NotNull(await (await client.OpenLogAsync(logName)).GetLastPositionAsync());
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "package-lock.json")) && System.IO.Directory.Exists(Path.Combine(directory.FullName, "protos")))
            {
                return Path.Combine(directory.FullName);
            }
        }

        throw new InvalidOperationException("The repository root (package-lock.json next to protos/) was not found above the test binaries.");
    }
}
