using System.Diagnostics;
using System.Text;
using Woodpecker.Client;
using Woodpecker.Errors;
using Woodpecker.Silo.Embedded;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Etcd.Tests;

/// <summary>The log service with its metadata in a real etcd.</summary>
public sealed class LogServiceOnEtcdTests
{
    [Fact]
    public async Task The_log_api_works_on_etcd_and_survives_a_restart_of_the_client()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var storage = new TestDirectory("wp-etcd-storage");
        await using (var client = await Start(etcd, storage.Path))
        {
            var log = await client.CreateLogAsync("on-etcd");
            await Assert.ThrowsAsync<LogAlreadyExistsException>(() => client.CreateLogAsync("on-etcd"));
            await using var writer = await log.OpenWriterAsync();
            for (var i = 0; i < 100; i++)
            {
                await writer.AppendAsync(Encoding.UTF8.GetBytes($"e{i}"));
            }

            await log.TruncateAsync(new LogPosition(0, 9));
        }

        await using (var client = await Start(etcd, storage.Path))
        {
            var log = await client.OpenLogAsync("on-etcd");
            Assert.Equal(new LogPosition(0, 9), await log.GetTruncationPointAsync());
            Assert.Equal(new LogPosition(0, 99), await log.GetLastPositionAsync());
            var read = new List<string>();
            await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
            await foreach (var message in reader.ReadAllAsync())
            {
                read.Add(Encoding.UTF8.GetString(message.Payload.Span));
            }

            Assert.Equal(Enumerable.Range(10, 90).Select(i => $"e{i}"), read);
        }
    }

    [Fact]
    public async Task Starting_against_an_unreachable_etcd_fails_fast_with_a_clear_error()
    {
        using var storage = new TestDirectory("wp-etcd-storage");
        var options = new EmbeddedSiloOptions
        {
            DataDirectory = storage.Path,
            Etcd = new EtcdClientOptions { Endpoints = [$"http://127.0.0.1:{FreePorts.Next()}"], CallTimeout = TimeSpan.FromSeconds(2) },
        };
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MetadataUnavailableException>(() => WoodpeckerClient.CreateEmbeddedAsync(options));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Contains("etcd", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Etcd_restarting_in_the_middle_of_writes_loses_no_acknowledged_entry(bool prepareSegmentsAhead)
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var storage = new TestDirectory("wp-etcd-storage");
        await using var client = await Start(etcd, storage.Path, o =>
        {
            o.Log.SegmentRollBytes = 64 * 1024;
            // Without segments prepared ahead every roll needs etcd, so the outage must fail appends; with them
            // (the default) a roll onto a prepared segment does not, and the outage may pass unnoticed by the writer.
            if (!prepareSegmentsAhead)
            {
                o.Log.SegmentPrepareLead = TimeSpan.Zero;
            }
        });
        var log = await client.CreateLogAsync("etcd-restarts");
        var acknowledged = new List<(string Text, LogPosition Position)>();
        var failures = 0;
        var writer = await log.OpenWriterAsync();
        var outage = Task.Run(async () =>
        {
            await Task.Delay(500);
            await etcd.KillAsync();
            await Task.Delay(1500);
            await etcd.RestartAsync();
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var i = 0; (i < 3_000 || !outage.IsCompleted) && DateTime.UtcNow < deadline; i++)
        {
            var text = $"entry {i:D5} " + new string('e', 200);
            try
            {
                acknowledged.Add((text, await writer.AppendAsync(Encoding.UTF8.GetBytes(text))));
            }
            catch (WoodpeckerException)
            {
                // A roll needs etcd; while it is down the writer fails and must be reopened once etcd is back.
                failures++;
                await writer.DisposeAsync();
                writer = await ReopenAsync(log);
            }
        }

        await outage;
        await writer.DisposeAsync();
        Assert.True(prepareSegmentsAhead || failures > 0, "the outage should have failed at least one append (rolls need etcd)");

        var read = new List<(string Text, LogPosition Position)>();
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
        await foreach (var message in reader.ReadAllAsync())
        {
            read.Add((Encoding.UTF8.GetString(message.Payload.Span), message.Position));
        }

        // Every acknowledged entry is there, at its position, in order; failed appends may or may not be.
        var stored = read.ToDictionary(r => r.Position);
        foreach (var (text, position) in acknowledged)
        {
            Assert.True(stored.TryGetValue(position, out var found) && found.Text == text, $"acknowledged entry at {position} is missing or different");
        }

        Assert.True(read.Zip(read.Skip(1)).All(p => p.First.Position < p.Second.Position));
    }

    private static async Task<LogWriter> ReopenAsync(LogHandle log)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await log.OpenWriterAsync();
            }
            catch (WoodpeckerException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<WoodpeckerClient> Start(EtcdServer etcd, string storage, Action<EmbeddedSiloOptions>? configure = null)
    {
        var options = new EmbeddedSiloOptions
        {
            DataDirectory = storage,
            // Short, so that the outage tests see failures quickly rather than waiting out a long timeout.
            Etcd = new EtcdClientOptions { Endpoints = [etcd.Endpoint], CallTimeout = TimeSpan.FromSeconds(1) },
        };
        configure?.Invoke(options);

        // Starting is not what these tests examine: a just-started etcd on a busy machine (other test classes start
        // servers in parallel) may miss the 1 s timeout once, so the start is given a few tries.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WoodpeckerClient.CreateEmbeddedAsync(options);
            }
            catch (MetadataUnavailableException) when (attempt < 5)
            {
                await Task.Delay(200);
            }
        }
    }
}
