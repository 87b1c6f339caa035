using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Woodpecker.Client;
using Woodpecker.Silo.Embedded;
using Woodpecker.Storage.S3;
using Woodpecker.TestingHost;

namespace Woodpecker.Benchmarks.ObjectStorage;

/// <summary>
/// The log on an S3-compatible store against the store's own limits, measured in the same run through the same
/// client settings: raw PUTs of block-sized objects (as many at once as the log uploads) versus one writer
/// appending the same bytes; raw GETs of those objects (as many at once as a reader reads ahead) versus a fresh
/// reader catching up on the sealed log; raw PUT latency of one small block versus appends one at a time. Rounds
/// alternate the four runs so that a noisy store affects each side alike; headlines are medians over rounds.
/// </summary>
public static class ObjectStorageBenchmark
{
    /// <summary>Bucket used when the benchmark starts its own s3rver.</summary>
    public const string DefaultBucket = "woodpecker-bench";

    /// <summary>Runs the benchmark.</summary>
    public static async Task<ObjectStorageResult> RunAsync(
        ObjectStorageOptions options, IProgress<BenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var throttle = new ProgressThrottle(progress);
        using var directory = BenchmarkDirectory.Create(options.DataParent, "s3", options.Keep);
        S3rverServer? started = null;
        if (options.Store is null)
        {
            throttle.Report("starting s3rver", 0, "", force: true);
            started = await S3rverServer.StartAsync().ConfigureAwait(false);
        }

        try
        {
            var store = options.Store?.Clone() ?? new S3StorageOptions
            {
                Bucket = DefaultBucket,
                ServiceUrl = started!.Endpoint,
                AccessKey = S3rverServer.AccessKey,
                SecretKey = S3rverServer.SecretKey,
                CreateBucketIfMissing = true,
            };

            // A prefix of its own: the run deletes everything under it and never touches anything else.
            store.KeyPrefix = $"{(store.KeyPrefix.Length == 0 ? "" : store.KeyPrefix + "/")}bench-{DateTime.UtcNow:yyyyMMddHHmmss}-{Environment.ProcessId}";
            using var s3 = S3Clients.Create(store);
            var run = new Run(options, store, s3, directory, throttle);
            var storeName = $"{store.ServiceUrl ?? "AWS S3 " + store.Region}, bucket {store.Bucket}{(started is null ? "" : " (s3rver started by the benchmark)")}";

            await run.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            var rounds = new List<ObjectStorageRound>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                rounds.Add(await run.RoundAsync(round, cancellationToken).ConfigureAwait(false));
            }

            var rawSmall = await run.RawSmallPutsAsync(cancellationToken).ConfigureAwait(false);
            var defaultInterval = await run.AppendOneAtATimeAsync(store.MaxFlushDelay, cancellationToken).ConfigureAwait(false);
            var zeroInterval = await run.AppendOneAtATimeAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            return new ObjectStorageResult
            {
                Store = storeName,
                EntryBytes = options.EntryBytes,
                BlockBytes = store.MaxBlockBytes,
                Concurrency = store.MaxConcurrentUploads,
                Rounds = rounds,
                RawSmallPut = rawSmall,
                DefaultInterval = defaultInterval,
                ZeroInterval = zeroInterval,
            };
        }
        finally
        {
            if (started is not null)
            {
                await started.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One benchmark run's shared state.</summary>
    private sealed class Run(ObjectStorageOptions options, S3StorageOptions store, AmazonS3Client s3, BenchmarkDirectory directory, ProgressThrottle throttle)
    {
        private readonly byte[] _block = RawDisk.RandomBytes(store.MaxBlockBytes);
        private readonly byte[] _entry = RawDisk.RandomBytes(options.EntryBytes);
        private int _logs;

        public async Task WarmUpAsync(CancellationToken cancellationToken)
        {
            // Not measured: creates the bucket, and warms the JIT, the connection pools and the store's caches.
            // The log goes first: its service checks the bucket (and creates it when allowed) before any raw PUT.
            const string phase = "warm-up (not measured)";
            var log = await AppendAsync(16L * store.MaxBlockBytes, phase, cancellationToken).ConfigureAwait(false);
            await CatchUpAsync(log.DataDirectory, log.Name, phase, cancellationToken).ConfigureAwait(false);
            await DeleteLogAsync(log, cancellationToken).ConfigureAwait(false);
            var keys = await RawPutsAsync("warm-up", TimeSpan.FromSeconds(0.5), phase, cancellationToken).ConfigureAwait(false);
            await RawGetsAsync(keys.Keys, phase, cancellationToken).ConfigureAwait(false);
            await DeleteAsync(keys.Keys, cancellationToken).ConfigureAwait(false);
        }

        public async Task<ObjectStorageRound> RoundAsync(int round, CancellationToken cancellationToken)
        {
            var prefix = $"round {round}/{options.Rounds}";
            var raw = await RawPutsAsync($"raw-{round}", options.Duration, $"{prefix}: raw PUT, {Units.Bytes(store.MaxBlockBytes)} objects × {store.MaxConcurrentUploads}", cancellationToken).ConfigureAwait(false);
            var log = await AppendAsync(raw.Bytes, $"{prefix}: log, {Units.Bytes(options.EntryBytes)} appends", cancellationToken).ConfigureAwait(false);
            var rawGet = await RawGetsAsync(raw.Keys, $"{prefix}: raw GET × {store.ReadAhead}", cancellationToken).ConfigureAwait(false);
            var catchUp = await CatchUpAsync(log.DataDirectory, log.Name, $"{prefix}: catch-up read", cancellationToken).ConfigureAwait(false);
            await DeleteAsync(raw.Keys, cancellationToken).ConfigureAwait(false);
            await DeleteLogAsync(log, cancellationToken).ConfigureAwait(false);
            return new ObjectStorageRound
            {
                Round = round,
                Bytes = raw.Bytes,
                RawPutMBps = Units.MegabytesPerSecond(raw.Bytes, raw.Elapsed),
                LogMBps = Units.MegabytesPerSecond(raw.Bytes, log.Elapsed),
                RawGetMBps = Units.MegabytesPerSecond(rawGet.Bytes, rawGet.Elapsed),
                CatchUpMBps = Units.MegabytesPerSecond(catchUp.Bytes, catchUp.Elapsed),
                LogPuts = log.Puts,
                LogElapsed = log.Elapsed,
                RawPutCpuCores = raw.CpuCores,
                LogCpuCores = log.CpuCores,
                LogGen2Collections = log.Gen2Collections,
            };
        }

        /// <summary>Raw PUT latency of one object the size of a block holding one latency-run entry.</summary>
        public async Task<LatencySummary> RawSmallPutsAsync(CancellationToken cancellationToken)
        {
            // Payload plus block header and record framing: within a few dozen bytes of what the log uploads.
            var body = RawDisk.RandomBytes(options.LatencyEntryBytes + 64);
            var ticks = new long[options.LatencyCount];
            var keys = new List<string>();
            for (var i = 0; i < ticks.Length; i++)
            {
                var key = $"{store.KeyPrefix}/raw-small/{i:D6}";
                var start = Stopwatch.GetTimestamp();
                await PutAsync(key, body, cancellationToken).ConfigureAwait(false);
                ticks[i] = Stopwatch.GetTimestamp() - start;
                keys.Add(key);
                throttle.Report($"raw PUT of one {Units.Bytes(body.Length)} block", (double)(i + 1) / ticks.Length, $"{i + 1} PUTs");
            }

            await DeleteAsync(keys, cancellationToken).ConfigureAwait(false);
            return LatencySummary.FromStopwatchTicks(ticks, ticks.Length);
        }

        /// <summary>Appends one at a time (each awaited before the next) with <paramref name="interval"/> as the flush interval.</summary>
        public async Task<ObjectStorageLatencyRun> AppendOneAtATimeAsync(TimeSpan interval, CancellationToken cancellationToken)
        {
            var phase = $"log, {Units.Bytes(options.LatencyEntryBytes)} appends one at a time, flush interval {interval.TotalMilliseconds:0} ms";
            var name = $"latency-{Interlocked.Increment(ref _logs)}";
            var dataDirectory = directory.PathOf(name);
            var payload = RawDisk.RandomBytes(options.LatencyEntryBytes);
            var ticks = new long[options.LatencyCount];
            var siloStore = store.Clone();
            siloStore.MaxFlushDelay = interval;
            StorageRequests before, after;
            TimeSpan elapsed;
            await using (var client = await WoodpeckerClient.CreateEmbeddedAsync(Silo(dataDirectory, siloStore), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var log = await client.CreateLogAsync(name, cancellationToken).ConfigureAwait(false);
                await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await writer.AppendAsync(payload, cancellationToken: cancellationToken).ConfigureAwait(false); // opens the segment
                before = await log.GetStorageRequestsAsync(cancellationToken).ConfigureAwait(false);
                var runStart = Stopwatch.GetTimestamp();
                for (var i = 0; i < ticks.Length; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await writer.AppendAsync(payload, cancellationToken: cancellationToken).ConfigureAwait(false);
                    ticks[i] = Stopwatch.GetTimestamp() - start;
                    throttle.Report(phase, (double)(i + 1) / ticks.Length, $"{i + 1} appends");
                }

                elapsed = Stopwatch.GetElapsedTime(runStart);
                after = await log.GetStorageRequestsAsync(cancellationToken).ConfigureAwait(false);
                await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
                await client.DeleteLogAsync(name, cancellationToken).ConfigureAwait(false);
            }

            directory.Delete(dataDirectory);
            return new ObjectStorageLatencyRun(interval, LatencySummary.FromStopwatchTicks(ticks, ticks.Length), (after.Puts - before.Puts) / elapsed.TotalSeconds);
        }

        private async Task<RawRun> RawPutsAsync(string name, TimeSpan duration, string phase, CancellationToken cancellationToken)
        {
            var keys = new List<string>();
            long bytes = 0;
            var next = 0;
            var cpu = RawDisk.CpuTime();
            var start = Stopwatch.GetTimestamp();
            var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            async Task WorkerAsync()
            {
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var key = $"{store.KeyPrefix}/raw/{name}/{Interlocked.Increment(ref next):D8}";
                    await PutAsync(key, _block, cancellationToken).ConfigureAwait(false);
                    lock (keys)
                    {
                        keys.Add(key);
                    }

                    var total = Interlocked.Add(ref bytes, _block.Length);
                    var now = Stopwatch.GetElapsedTime(start);
                    throttle.Report(phase, now / duration, $"{Units.Bytes(total)}, {Units.Rate(Units.MegabytesPerSecond(total, now))}");
                }
            }

            // The same number of uploads in flight as the log keeps.
            await Task.WhenAll(Enumerable.Range(0, store.MaxConcurrentUploads).Select(_ => WorkerAsync())).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(start);
            throttle.Report(phase, 1, $"{Units.Bytes(bytes)}, {Units.Rate(Units.MegabytesPerSecond(bytes, elapsed))}", force: true);
            return new RawRun(keys, bytes, elapsed, (RawDisk.CpuTime() - cpu) / elapsed);
        }

        private async Task<(long Bytes, TimeSpan Elapsed)> RawGetsAsync(IReadOnlyList<string> keys, string phase, CancellationToken cancellationToken)
        {
            long bytes = 0;
            var next = -1;
            var start = Stopwatch.GetTimestamp();
            async Task WorkerAsync()
            {
                var buffer = new byte[1024 * 1024];
                int index;
                while ((index = Interlocked.Increment(ref next)) < keys.Count)
                {
                    using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = store.Bucket, Key = keys[index] }, cancellationToken).ConfigureAwait(false);
                    int read;
                    long objectBytes = 0;
                    while ((read = await response.ResponseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        objectBytes += read;
                    }

                    var total = Interlocked.Add(ref bytes, objectBytes);
                    throttle.Report(phase, (double)(index + 1) / keys.Count, $"{Units.Bytes(total)}, {Units.Rate(Units.MegabytesPerSecond(total, Stopwatch.GetElapsedTime(start)))}");
                }
            }

            // As many GETs in flight as a reader keeps ahead of its consumer.
            await Task.WhenAll(Enumerable.Range(0, store.ReadAhead).Select(_ => WorkerAsync())).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(start);
            throttle.Report(phase, 1, $"{Units.Bytes(bytes)}, {Units.Rate(Units.MegabytesPerSecond(bytes, elapsed))}", force: true);
            return (bytes, elapsed);
        }

        private async Task<LogRun> AppendAsync(long totalBytes, string phase, CancellationToken cancellationToken)
        {
            var name = $"throughput-{Interlocked.Increment(ref _logs)}";
            var dataDirectory = directory.PathOf(name);
            await using var client = await WoodpeckerClient.CreateEmbeddedAsync(Silo(dataDirectory, store), cancellationToken: cancellationToken).ConfigureAwait(false);
            var log = await client.CreateLogAsync(name, cancellationToken).ConfigureAwait(false);
            await using var writer = await log.OpenWriterAsync(
                new LogWriterOptions { MaxPendingBytes = options.MaxInFlightBytes + _entry.Length }, cancellationToken).ConfigureAwait(false);
            var before = await log.GetStorageRequestsAsync(cancellationToken).ConfigureAwait(false);
            var cpu = RawDisk.CpuTime();
            var gen2 = GC.CollectionCount(2);
            var elapsed = await PipelinedAppends.RunAsync(writer, _entry, totalBytes, options.MaxInFlightBytes, (durable, soFar) =>
            {
                if (throttle.Due)
                {
                    throttle.Report(phase, (double)durable / totalBytes, $"{Units.Bytes(durable)}, {Units.Rate(Units.MegabytesPerSecond(durable, soFar))}");
                }
            }, cancellationToken).ConfigureAwait(false);
            var cpuCores = (RawDisk.CpuTime() - cpu) / elapsed;
            var fullCollections = GC.CollectionCount(2) - gen2;
            var after = await log.GetStorageRequestsAsync(cancellationToken).ConfigureAwait(false);
            throttle.Report(phase, 1, $"{Units.Bytes(totalBytes)}, {Units.Rate(Units.MegabytesPerSecond(totalBytes, elapsed))}", force: true);

            // Closing seals the segment, so the catch-up read below reads completed segments from the store.
            await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
            return new LogRun(name, dataDirectory, elapsed, after.Puts - before.Puts, cpuCores, fullCollections);
        }

        private async Task<(long Bytes, TimeSpan Elapsed)> CatchUpAsync(string dataDirectory, string name, string phase, CancellationToken cancellationToken)
        {
            // A new service: no segment grain holds the log's tail, so every byte comes from the store.
            await using var client = await WoodpeckerClient.CreateEmbeddedAsync(Silo(dataDirectory, store), cancellationToken: cancellationToken).ConfigureAwait(false);
            var log = await client.OpenLogAsync(name, cancellationToken).ConfigureAwait(false);
            long bytes = 0;
            var start = Stopwatch.GetTimestamp();
            await using (var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false }, cancellationToken).ConfigureAwait(false))
            {
                await foreach (var message in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    bytes += message.Payload.Length;
                    if (throttle.Due)
                    {
                        throttle.Report(phase, 0.5, $"{Units.Bytes(bytes)}, {Units.Rate(Units.MegabytesPerSecond(bytes, Stopwatch.GetElapsedTime(start)))}");
                    }
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            throttle.Report(phase, 1, $"{Units.Bytes(bytes)}, {Units.Rate(Units.MegabytesPerSecond(bytes, elapsed))}", force: true);
            return (bytes, elapsed);
        }

        private async Task DeleteLogAsync(LogRun log, CancellationToken cancellationToken)
        {
            await using (var client = await WoodpeckerClient.CreateEmbeddedAsync(Silo(log.DataDirectory, store), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                await client.DeleteLogAsync(log.Name, cancellationToken).ConfigureAwait(false);
            }

            directory.Delete(log.DataDirectory);
        }

        private async Task PutAsync(string key, byte[] body, CancellationToken cancellationToken) =>
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = store.Bucket,
                Key = key,
                InputStream = new MemoryStream(body, writable: false),
                UseChunkEncoding = false,
                AutoCloseStream = true,
            }, cancellationToken).ConfigureAwait(false);

        private async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            foreach (var batch in keys.Chunk(1000))
            {
                // A few attempts: s3rver deletes a batch's objects concurrently and may trip over its own removal of
                // emptied folders (500 InternalError); objects already gone are not an error on a retry.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await s3.DeleteObjectsAsync(new DeleteObjectsRequest
                        {
                            BucketName = store.Bucket,
                            Objects = [.. batch.Select(k => new KeyVersion { Key = k })],
                            Quiet = true,
                        }, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (AmazonS3Exception ex) when ((int)ex.StatusCode >= 500 && attempt < 5)
                    {
                        await Task.Delay(100 * attempt, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        private static EmbeddedSiloOptions Silo(string dataDirectory, S3StorageOptions store) =>
            new() { DataDirectory = dataDirectory, S3 = store };
    }

    private sealed record RawRun(IReadOnlyList<string> Keys, long Bytes, TimeSpan Elapsed, double CpuCores);

    private sealed record LogRun(string Name, string DataDirectory, TimeSpan Elapsed, long Puts, double CpuCores, int Gen2Collections);
}
