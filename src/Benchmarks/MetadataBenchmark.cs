using System.Diagnostics;
using System.Text;
using Woodpecker.Client;
using Woodpecker.Etcd;
using Woodpecker.Etcd.Protocol;
using Woodpecker.Silo.Embedded;
using Woodpecker.TestingHost;

namespace Woodpecker.Benchmarks;

/// <summary>
/// The service's metadata operations on a real etcd against etcd's own round trip, measured in the same run. Each
/// round first measures the limit — one key put, and one transaction with one compare (what every Woodpecker state
/// change is), each awaited before the next, straight through <see cref="EtcdClient"/> — then the service through
/// an embedded silo keeping its metadata in that etcd: creating logs, opening writers (the writer-epoch
/// compare-and-swap), and one writer appending small entries one at a time across many forced segment rolls, which
/// gives the roll's metadata time and how much longer the append at each roll boundary takes than the others.
/// Rounds alternate raw and service runs so that a noisy etcd affects both alike; headlines are medians over rounds.
/// </summary>
public static class MetadataBenchmark
{
    // Appends this close to a segment's start are neither "at the roll" nor a fair baseline: the old segment's
    // completion (footer write, fdatasync, metadata update) runs beside them.
    private const int EntriesNearRoll = 3;

    // About the size of a segment record: what the service's transactions carry.
    private const int RawValueBytes = 64;

    /// <summary>Runs the benchmark.</summary>
    /// <exception cref="InvalidOperationException">No etcd endpoint was given and etcd is not installed (the message says how to install it).</exception>
    public static async Task<MetadataResult> RunAsync(
        MetadataOptions options, IProgress<BenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var throttle = new ProgressThrottle(progress);
        using var directory = BenchmarkDirectory.Create(options.DataParent, "metadata", options.Keep);
        EtcdServer? started = null;
        IReadOnlyList<string> endpoints = options.EtcdEndpoints;
        if (endpoints.Count == 0)
        {
            throttle.Report("starting etcd", 0, "", force: true);
            started = await EtcdServer.StartAsync().ConfigureAwait(false);
            endpoints = [started.Endpoint];
            throttle.Report("starting etcd", 1, started.Endpoint, force: true);
        }

        try
        {
            // A prefix of its own: the run deletes everything under it and never touches anything else.
            var prefix = $"wp-bench-metadata/{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}/";
            using var etcd = new EtcdClient(new EtcdClientOptions { Endpoints = [.. endpoints] });
            using var rolls = new RollStatistics();
            var run = new Run(options, endpoints, prefix, etcd, rolls, directory, throttle);
            try
            {
                var rounds = new List<MetadataRound>();
                for (var round = 1; round <= options.Rounds; round++)
                {
                    rounds.Add(await run.RoundAsync(round, cancellationToken).ConfigureAwait(false));
                }

                return new MetadataResult
                {
                    Etcd = $"{string.Join(", ", endpoints)}{(started is null ? "" : " (etcd started by the benchmark)")}",
                    EntryBytes = options.EntryBytes,
                    EntriesPerSegment = options.EntriesPerSegment,
                    Rounds = rounds,
                };
            }
            finally
            {
                await run.DeleteKeysAsync().ConfigureAwait(false);
            }
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
    private sealed class Run(
        MetadataOptions options, IReadOnlyList<string> endpoints, string prefix, EtcdClient etcd, RollStatistics rolls,
        BenchmarkDirectory directory, ProgressThrottle throttle)
    {
        private readonly byte[] _value = RawDisk.RandomBytes(RawValueBytes);
        private readonly byte[] _payload = RawDisk.RandomBytes(options.EntryBytes);

        public async Task<MetadataRound> RoundAsync(int round, CancellationToken cancellationToken)
        {
            var label = $"round {round}/{options.Rounds}";
            var key = Encoding.UTF8.GetBytes($"{prefix}raw/{round}");
            var rawPut = await RawPutsAsync(key, $"{label}: raw etcd put", cancellationToken).ConfigureAwait(false);
            var rawTxn = await RawTxnsAsync(key, $"{label}: raw etcd txn, one compare", cancellationToken).ConfigureAwait(false);

            var dataDirectory = directory.PathOf($"silo-{round}");
            try
            {
                await using var client = await WoodpeckerClient.CreateEmbeddedAsync(SiloOptions(dataDirectory, round), cancellationToken: cancellationToken).ConfigureAwait(false);
                await WarmUpAsync(client, cancellationToken).ConfigureAwait(false);
                var create = await CreateLogsAsync(client, $"{label}: create log", cancellationToken).ConfigureAwait(false);
                var open = await OpenWritersAsync(client, $"{label}: open writer", cancellationToken).ConfigureAwait(false);
                var stall = await RollRunAsync(client, $"{label}: {Units.Bytes(options.EntryBytes)} appends one at a time, a roll every {options.EntriesPerSegment}", cancellationToken).ConfigureAwait(false);
                return new MetadataRound
                {
                    Round = round,
                    RawPut = rawPut,
                    RawTxn = rawTxn,
                    CreateLog = create,
                    OpenWriter = open,
                    SegmentCreate = stall.SegmentCreates,
                    RollWait = stall.RollWaits,
                    AppendAwayFromRoll = stall.Away,
                    AppendAtRoll = stall.AtRoll,
                    AppendAfterRoll = stall.AfterRoll,
                    OrdinaryWorstMs = stall.OrdinaryWorstMs,
                };
            }
            finally
            {
                directory.Delete(dataDirectory);
            }
        }

        public async Task DeleteKeysAsync()
        {
            try
            {
                var start = Encoding.UTF8.GetBytes(prefix);
                var end = (byte[])start.Clone();
                end[^1]++; // prefix ends with '/': the range end is the same prefix ending in '0'
                await etcd.DeleteRangeAsync(new DeleteRangeRequest { Key = start, RangeEnd = end }).ConfigureAwait(false);
            }
            catch (EtcdException)
            {
                // etcd went away; there is nothing to clean up that a failed run could still reach.
            }
        }

        private EmbeddedSiloOptions SiloOptions(string dataDirectory, int round)
        {
            var silo = new EmbeddedSiloOptions
            {
                DataDirectory = dataDirectory,
                Etcd = new EtcdClientOptions { Endpoints = [.. endpoints] },
            };
            silo.Log.MetadataKeyPrefix = $"{prefix}service-{round}/";
            silo.Log.SegmentRollEntries = options.EntriesPerSegment;
            options.ConfigureSilo?.Invoke(silo);
            return silo;
        }

        private async Task<LatencySummary> RawPutsAsync(byte[] key, string phase, CancellationToken cancellationToken)
        {
            for (var i = 0; i < options.WarmUp; i++)
            {
                await etcd.PutAsync(new PutRequest { Key = key, Value = _value }, cancellationToken).ConfigureAwait(false);
            }

            return await MeasureAsync(phase, "puts", () => etcd.PutAsync(new PutRequest { Key = key, Value = _value }, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        private async Task<LatencySummary> RawTxnsAsync(byte[] key, string phase, CancellationToken cancellationToken)
        {
            // Compare the key's mod revision and put it: the shape of every compare-and-swap the service makes.
            var revision = (await etcd.PutAsync(new PutRequest { Key = key, Value = _value }, cancellationToken).ConfigureAwait(false)).Header.Revision;
            async Task TxnAsync()
            {
                var response = await etcd.TxnAsync(
                    new TxnRequest
                    {
                        Compare = [new CompareMessage { Key = key, Target = "MOD", Result = "EQUAL", ModRevision = revision }],
                        Success = [new RequestOp { RequestPut = new PutRequest { Key = key, Value = _value } }],
                    },
                    cancellationToken).ConfigureAwait(false);
                if (!response.Succeeded)
                {
                    throw new InvalidOperationException($"The benchmark's own key {Encoding.UTF8.GetString(key)} changed under it; is another run using the same prefix?");
                }

                revision = response.Header.Revision;
            }

            for (var i = 0; i < options.WarmUp; i++)
            {
                await TxnAsync().ConfigureAwait(false);
            }

            return await MeasureAsync(phase, "transactions", TxnAsync, cancellationToken).ConfigureAwait(false);
        }

        private async Task WarmUpAsync(WoodpeckerClient client, CancellationToken cancellationToken)
        {
            // Not measured: JIT, connections, the first activations, one roll.
            var log = await client.CreateLogAsync("warm-up", cancellationToken).ConfigureAwait(false);
            await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < options.EntriesPerSegment + 2; i++)
            {
                await writer.AppendAsync(_payload, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
        }

        private Task<LatencySummary> CreateLogsAsync(WoodpeckerClient client, string phase, CancellationToken cancellationToken)
        {
            var next = 0;
            return MeasureAsync(phase, "logs", () => client.CreateLogAsync($"created-{next++:D6}", cancellationToken), cancellationToken);
        }

        private async Task<LatencySummary> OpenWritersAsync(WoodpeckerClient client, string phase, CancellationToken cancellationToken)
        {
            // The same log each time: every opening fences the previous writer. Closing is not measured.
            var log = await client.CreateLogAsync("writers", cancellationToken).ConfigureAwait(false);
            var ticks = new long[options.Count];
            for (var i = 0; i < ticks.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                ticks[i] = Stopwatch.GetTimestamp() - start;
                await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
                await writer.DisposeAsync().ConfigureAwait(false);
                if (throttle.Due)
                {
                    throttle.Report(phase, (double)(i + 1) / ticks.Length, $"{i + 1:N0} writers");
                }
            }

            var summary = LatencySummary.FromStopwatchTicks(ticks, ticks.Length);
            throttle.Report(phase, 1, $"{ticks.Length:N0} writers, p50 {Units.Milliseconds(summary.P50Ms)}", force: true);
            return summary;
        }

        private async Task<(LatencySummary Away, LatencySummary AtRoll, LatencySummary AfterRoll, double OrdinaryWorstMs, LatencySummary SegmentCreates, LatencySummary RollWaits)> RollRunAsync(
            WoodpeckerClient client, string phase, CancellationToken cancellationToken)
        {
            var log = await client.CreateLogAsync("rolling", cancellationToken).ConfigureAwait(false);
            await using var writer = await log.OpenWriterAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

            // The first segment is not measured: its creation is the writer's first append, not a roll.
            var position = await writer.AppendAsync(_payload, cancellationToken: cancellationToken).ConfigureAwait(false);
            var firstSegment = position.SegmentId;
            while (position.SegmentId == firstSegment)
            {
                position = await writer.AppendAsync(_payload, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            // That last append crossed the first roll (unmeasured). Measure the rest of its segment and `Rolls` more.
            rolls.Reset();
            var total = options.Rolls * options.EntriesPerSegment + (options.EntriesPerSegment - 1);
            var away = new List<long>(total);
            var atRoll = new List<long>(options.Rolls);
            var afterRoll = new List<long>(options.Rolls * (EntriesNearRoll - 1));
            var segment = position.SegmentId;
            for (var i = 0; i < total; i++)
            {
                var start = Stopwatch.GetTimestamp();
                position = await writer.AppendAsync(_payload, cancellationToken: cancellationToken).ConfigureAwait(false);
                var elapsed = Stopwatch.GetTimestamp() - start;
                if (position.SegmentId != segment)
                {
                    atRoll.Add(elapsed);
                    segment = position.SegmentId;
                }
                else if (position.EntryId >= EntriesNearRoll)
                {
                    away.Add(elapsed);
                }
                else
                {
                    afterRoll.Add(elapsed);
                }

                if (throttle.Due)
                {
                    throttle.Report(phase, (double)(i + 1) / total, $"{i + 1:N0} appends, {atRoll.Count} rolls");
                }
            }

            await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
            var (creates, waits) = rolls.Snapshot();
            if (atRoll.Count == 0 || away.Count == 0 || afterRoll.Count == 0)
            {
                throw new InvalidOperationException($"The roll run crossed {atRoll.Count} rolls in {total} appends; the service did not roll every {options.EntriesPerSegment} entries.");
            }

            // The noise floor of the worst boundary append: ordinary appends at the rank the largest of as many
            // samples as there were rolls is expected at (n / (n + 1)). Machines are noisy; this is what the worst
            // boundary append would be if rolls cost nothing.
            away.Sort();
            var rank = Math.Clamp((int)Math.Ceiling(away.Count * (double)atRoll.Count / (atRoll.Count + 1)) - 1, 0, away.Count - 1);
            var ordinaryWorstMs = away[rank] * 1000.0 / Stopwatch.Frequency;
            var atRollSummary = Summarize(atRoll);
            throttle.Report(phase, 1, $"{total:N0} appends, {atRoll.Count} rolls, p50 at a roll {Units.Milliseconds(atRollSummary.P50Ms)}", force: true);
            return (Summarize(away), atRollSummary, Summarize(afterRoll), ordinaryWorstMs, creates, waits);
        }

        private async Task<LatencySummary> MeasureAsync(string phase, string what, Func<Task> operation, CancellationToken cancellationToken)
        {
            var ticks = new long[options.Count];
            for (var i = 0; i < ticks.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                await operation().ConfigureAwait(false);
                ticks[i] = Stopwatch.GetTimestamp() - start;
                if (throttle.Due)
                {
                    throttle.Report(phase, (double)(i + 1) / ticks.Length, $"{i + 1:N0} {what}");
                }
            }

            var summary = LatencySummary.FromStopwatchTicks(ticks, ticks.Length);
            throttle.Report(phase, 1, $"{ticks.Length:N0} {what}, p50 {Units.Milliseconds(summary.P50Ms)}", force: true);
            return summary;
        }

        private static LatencySummary Summarize(List<long> ticks) => LatencySummary.FromStopwatchTicks([.. ticks], ticks.Count);
    }
}
