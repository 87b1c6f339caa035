using Google.Protobuf;
using Woodpecker.Errors;
using Woodpecker.Grains.Hosting;
using Woodpecker.Metadata.Sqlite;
using Woodpecker.Protocol.V1;
using Woodpecker.Storage.Local;
using Xunit;

namespace Woodpecker.Client.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Simulated_storage_failure_fails_that_append_and_every_later_one_and_loses_nothing_acknowledged()
    {
        using var dir = new TempDirectory();
        await using var metadata = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DataDirectory = dir.Path });
        var storage = new FaultInjectingStorage(new LocalSegmentStorage(new LocalStorageOptions { RootDirectory = Path.Combine(dir.Path, "segments"), MaxBlockBytes = 4096 }));
        await using var host = await LogServiceHost.StartAsync(metadata, storage);
        var service = host.Service;
        await service.CreateLogAsync("faulty");

        var writer = await service.OpenWriterAsync("faulty");
        storage.FailAfter(5);
        var appends = Enumerable.Range(0, 400)
            .Select(i => writer.AppendAsync(new Entry { Payload = ByteString.CopyFromUtf8($"entry {i:D4} " + new string('f', 200)) }))
            .ToList();

        var acknowledged = new List<LogPosition>();
        var firstFailure = -1;
        for (var i = 0; i < appends.Count; i++)
        {
            try
            {
                acknowledged.Add(await appends[i]);
                Assert.True(firstFailure < 0, $"append {i} succeeded after append {firstFailure} failed");
            }
            catch (StorageUnavailableException ex)
            {
                Assert.Contains("simulated", ex.Message, StringComparison.Ordinal);
                firstFailure = firstFailure < 0 ? i : firstFailure;
            }
        }

        Assert.True(firstFailure > 0, "some appends should have succeeded before the failure");
        Assert.Equal(firstFailure, acknowledged.Count);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => writer.AppendAsync(new Entry { Payload = ByteString.CopyFromUtf8("after") }));
        await writer.DisposeAsync();

        // The store recovers; a new writer continues after everything acknowledged.
        storage.Heal();
        var next = await service.OpenWriterAsync("faulty");
        var resumed = await next.AppendAsync(new Entry { Payload = ByteString.CopyFromUtf8("resumed") });
        await next.CloseAsync();
        Assert.True(resumed > acknowledged[^1]);

        var read = new List<LogMessage>();
        await using var reader = await service.OpenReaderAsync("faulty", ReadStart.Earliest, new Grains.Reading.LogReaderOptions { Follow = false });
        await foreach (var batch in reader.ReadBatchesAsync())
        {
            read.AddRange(batch);
        }

        Assert.Equal(acknowledged, read.Take(acknowledged.Count).Select(m => m.Position));
        Assert.Equal("resumed", System.Text.Encoding.UTF8.GetString(read[^1].Payload.Span));
        var segments = await service.ListSegmentsAsync("faulty");
        Assert.All(segments, s => Assert.Equal(Protocol.V1.SegmentState.Completed, s.State));
    }

    [Fact]
    public async Task A_corrupted_segment_file_is_reported_and_no_corrupt_entry_is_returned()
    {
        using var dir = new TempDirectory();
        long logId;
        await using (var client = await Clients.Start(dir.Path, o => o.Storage.MaxBlockBytes = 4096))
        {
            var log = await client.CreateLogAsync("rot");
            logId = log.LogId;
            await using var writer = await log.OpenWriterAsync();
            for (var i = 0; i < 200; i++)
            {
                await writer.AppendAsync(Clients.Bytes($"entry {i:D3} " + new string('r', 100)));
            }
        }

        var data = Path.Combine(dir.Path, "segments", "logs", logId.ToString("D12", System.Globalization.CultureInfo.InvariantCulture), "000000000000.data");
        var bytes = await File.ReadAllBytesAsync(data);
        var middle = bytes.Length / 2;
        bytes[middle] ^= 0x40; // one bit of rot in the middle of the segment
        await File.WriteAllBytesAsync(data, bytes);

        await using (var client = await Clients.Start(dir.Path))
        {
            var log = await client.OpenLogAsync("rot");
            await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
            var read = new List<string>();
            var error = await Assert.ThrowsAsync<StorageCorruptedException>(async () =>
            {
                await foreach (var message in reader.ReadAllAsync())
                {
                    read.Add(Clients.Text(message));
                }
            });

            Assert.Contains("corrupt", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.True(read.Count < 200);
            Assert.Equal(Enumerable.Range(0, read.Count).Select(i => $"entry {i:D3} " + new string('r', 100)), read);
        }
    }
}
