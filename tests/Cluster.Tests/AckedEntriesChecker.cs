using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Woodpecker.Client;
using Woodpecker.Errors;

namespace Woodpecker.Cluster.Tests;

/// <summary>
/// Appends numbered entries to one log until stopped, remembering which were acknowledged and where; afterwards checks
/// the log: every acknowledged entry is there exactly once, at its acknowledged position, and in append order.
/// Entries whose append failed may or may not be in the log (their outcome is unknown), but at most once.
/// Also measures the longest stretch without any acknowledgement (the failover gap).
/// </summary>
internal sealed class AckedEntriesChecker
{
    private readonly ConcurrentDictionary<long, LogPosition> _acked = new();
    private readonly string _tag;
    private long _lastAckTimestamp = Stopwatch.GetTimestamp();
    private long _longestGapTicks;

    public AckedEntriesChecker(string logName)
    {
        LogName = logName;
        _tag = $"{logName}#";
    }

    public string LogName { get; }

    public int Acknowledged => _acked.Count;

    private readonly ConcurrentQueue<(long Timestamp, LogPosition Position)> _ackTimes = new();
    private int _failed;

    public int Failed => Volatile.Read(ref _failed);

    /// <summary>The last append failure (for test diagnostics).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>A summary for failure messages.</summary>
    public override string ToString() => $"{LogName}: {Acknowledged} acknowledged, {Failed} failed, last error: {LastError?.GetType().Name}: {LastError?.Message}";

    /// <summary>The longest time between two consecutive acknowledgements.</summary>
    public TimeSpan LongestGap => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestGapTicks));

    /// <summary>Acknowledgements received after <paramref name="since"/> (a Stopwatch timestamp).</summary>
    public int AcknowledgedSince(long since) => _ackTimes.Count(a => a.Timestamp > since);

    /// <summary>Positions acknowledged after <paramref name="since"/> (a Stopwatch timestamp).</summary>
    public IReadOnlyList<LogPosition> PositionsAcknowledgedSince(long since) => _ackTimes.Where(a => a.Timestamp > since).Select(a => a.Position).ToArray();

    /// <summary>Positions acknowledged before <paramref name="until"/> (a Stopwatch timestamp).</summary>
    public IReadOnlyList<LogPosition> PositionsAcknowledgedBefore(long until) => _ackTimes.Where(a => a.Timestamp <= until).Select(a => a.Position).ToArray();

    /// <summary>Time from <paramref name="since"/> (a Stopwatch timestamp) to the first acknowledgement after it; null when none came.</summary>
    public TimeSpan? FirstAcknowledgementAfter(long since) =>
        _ackTimes.Where(a => a.Timestamp > since).Select(a => (long?)a.Timestamp).Min() is { } first ? Stopwatch.GetElapsedTime(since, first) : null;

    /// <summary>Appends with up to <paramref name="inFlight"/> appends pending until <paramref name="stop"/> fires or <paramref name="maxEntries"/> were sent.</summary>
    public async Task RunAsync(LogWriter writer, CancellationToken stop, int inFlight = 8, int maxEntries = 200_000)
    {
        var pending = new List<Task>();
        for (long seq = 0; seq < maxEntries && !stop.IsCancellationRequested; seq++)
        {
            pending.Add(AppendOneAsync(writer, seq));
            if (pending.Count >= inFlight)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                if (done.IsFaulted && done.Exception!.InnerException is WriterFencedException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(pending.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    public async Task VerifyAsync(WoodpeckerClient client)
    {
        var log = await client.OpenLogAsync(LogName);
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
        var seen = new HashSet<long>();
        var lastAckedSeq = -1L;
        await foreach (var message in reader.ReadAllAsync())
        {
            var text = Encoding.UTF8.GetString(message.Payload.Span);
            if (!text.StartsWith(_tag, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Foreign entry {text} at {message.Position} in {LogName}.");
            }

            var seq = long.Parse(text.AsSpan(_tag.Length), System.Globalization.CultureInfo.InvariantCulture);
            if (!seen.Add(seq))
            {
                throw new InvalidOperationException($"Entry {seq} of {LogName} appears twice (again at {message.Position}).");
            }

            if (_acked.TryGetValue(seq, out var ackedAt))
            {
                if (ackedAt != message.Position)
                {
                    throw new InvalidOperationException($"Entry {seq} of {LogName} was acknowledged at {ackedAt} but is at {message.Position}.");
                }

                if (seq < lastAckedSeq)
                {
                    throw new InvalidOperationException($"Acknowledged entry {seq} of {LogName} comes after acknowledged entry {lastAckedSeq}.");
                }

                lastAckedSeq = seq;
            }
        }

        var missing = _acked.Keys.Where(seq => !seen.Contains(seq)).Order().Take(5).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"Acknowledged entries of {LogName} are missing: {string.Join(", ", missing)}{(missing.Length == 5 ? ", ..." : "")}.");
        }
    }

    private async Task AppendOneAsync(LogWriter writer, long seq)
    {
        try
        {
            var position = await writer.AppendAsync(Encoding.UTF8.GetBytes($"{_tag}{seq}"));
            _acked[seq] = position;
            var now = Stopwatch.GetTimestamp();
            _ackTimes.Enqueue((now, position));
            var previous = Interlocked.Exchange(ref _lastAckTimestamp, now);
            var gap = now - previous;
            long longest;
            while (gap > (longest = Interlocked.Read(ref _longestGapTicks)) && Interlocked.CompareExchange(ref _longestGapTicks, gap, longest) != longest)
            {
            }
        }
        catch (WoodpeckerException error)
        {
            Interlocked.Increment(ref _failed);
            LastError = error;
            throw;
        }
    }
}
