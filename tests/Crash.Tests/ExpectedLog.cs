using System.Globalization;
using Woodpecker.Client;
using Woodpecker.CrashWriter;
using Woodpecker.Silo.Embedded;

namespace Woodpecker.Crash.Tests;

/// <summary>What one verification read back.</summary>
internal sealed record Verification(long StoredEntries, LogPosition? LastPosition, IReadOnlyList<string> Problems, int ProblemCount)
{
    public bool Ok => ProblemCount == 0;
}

/// <summary>
/// The checker. Remembers, across the crash writers that wrote a log, every position the log must keep: each
/// acknowledged (sequence, position), and each entry a verification has read back (an entry a reader saw must stay).
/// Checks every killed child's READY and ACK lines, then reads the log back in this process and checks that it holds
/// exactly sequences 0..M in order, with no gap or duplicate, M at least the highest sequence known, every known
/// sequence at its known position, and every checksum valid.
/// </summary>
internal sealed class ExpectedLog
{
    private const int MaxProblemsListed = 12;

    private readonly string _logName;
    private readonly Dictionary<long, (LogPosition Position, string Source)> _known = [];
    private long _highestKnown = -1;
    private long? _verifiedNext;
    private string? _logCreatedBy;

    public ExpectedLog(string logName) => _logName = logName;

    /// <summary>Acknowledged appends recorded so far.</summary>
    public int Acknowledged { get; private set; }

    /// <summary>The highest sequence number acknowledged so far, or -1.</summary>
    public long HighestAcknowledged { get; private set; } = -1;

    /// <summary>Checks a killed child's output and records its acknowledgements; returns the discrepancies found.</summary>
    public List<string> RecordChild(string label, CrashWriterProcess child) =>
        RecordAcks(label, child.ReadyNext, child.Acks, child.ProtocolErrors);

    /// <summary>Checks a child's READY value and ACK lines and records the acknowledgements; returns the discrepancies found.</summary>
    public List<string> RecordAcks(string label, long? readyNext, IReadOnlyList<Ack> acks, IReadOnlyList<string> protocolErrors)
    {
        var problems = protocolErrors.Select(e => $"{label}: stdout protocol: {e}").ToList();
        if (readyNext is not { } ready)
        {
            if (acks.Count > 0)
            {
                problems.Add($"{label}: {acks.Count} ACK lines without READY");
            }

            return problems;
        }

        _logCreatedBy ??= label;
        if (_verifiedNext is { } verifiedNext && ready != verifiedNext)
        {
            problems.Add($"{label}: the child printed READY {ready}, but the log held seqs 0..{verifiedNext - 1} when it was last read back");
        }

        if (ready - 1 < _highestKnown)
        {
            problems.Add($"{label}: the child printed READY {ready}, so it found only seqs up to {ready - 1}, "
                + $"but seqs up to {_highestKnown} are known to have been stored" + KnownAt(ready));
        }

        var expected = ready;
        LogPosition? previous = null;
        var source = $"acknowledged in {label}";
        foreach (var ack in acks)
        {
            if (ack.Sequence != expected)
            {
                problems.Add($"{label}: ACK {ack.Sequence} {ack.Position} where ACK {expected} was due (acks out of order)");
            }

            if (previous is { } before && ack.Position <= before)
            {
                problems.Add($"{label}: ACK {ack.Sequence} at {ack.Position}, not after the previous ACK's {before}");
            }

            if (_known.TryGetValue(ack.Sequence, out var earlier) && earlier.Position != ack.Position)
            {
                problems.Add($"{label}: ACK {ack.Sequence} at {ack.Position}, but seq {ack.Sequence} was already at {earlier.Position} ({earlier.Source})");
            }

            _known[ack.Sequence] = (ack.Position, source);
            _highestKnown = Math.Max(_highestKnown, ack.Sequence);
            HighestAcknowledged = Math.Max(HighestAcknowledged, ack.Sequence);
            Acknowledged++;
            expected = ack.Sequence + 1;
            previous = ack.Position;
        }

        _verifiedNext = null;
        return problems;
    }

    /// <summary>
    /// Opens the data directory in this process (the child must have exited), reads the whole log from Earliest and
    /// checks it; closes the client before returning.
    /// </summary>
    public async Task<Verification> VerifyAsync(string dataDirectory, string label, long? segmentRollBytes, TimeSpan timeout, S3Target? s3 = null)
    {
        var problems = new List<string>();
        var problemCount = 0;
        void Problem(string text)
        {
            problemCount++;
            if (problems.Count < MaxProblemsListed)
            {
                problems.Add($"{label}: {text}");
            }
        }

        var stored = 0L;
        LogPosition? last = null;
        var lastSequence = -1L;
        var readBack = new List<(long Sequence, LogPosition Position)>();
        var options = new EmbeddedSiloOptions { DataDirectory = dataDirectory, S3 = s3?.ToOptions() };
        if (segmentRollBytes is { } roll)
        {
            options.Log.SegmentRollBytes = roll;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await using var client = await WoodpeckerClient.CreateEmbeddedAsync(options, cancellationToken: deadline.Token);
            if (!await client.LogExistsAsync(_logName, deadline.Token))
            {
                if (_logCreatedBy is not null)
                {
                    Problem($"log '{_logName}' does not exist, though its creation was acknowledged ({_logCreatedBy} printed READY)");
                }

                return new Verification(0, null, problems, problemCount);
            }

            var log = await client.OpenLogAsync(_logName, deadline.Token);
            await using (var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false }, deadline.Token))
            {
                var expected = 0L;
                await foreach (var message in reader.ReadAllAsync(deadline.Token))
                {
                    stored++;
                    var position = message.Position;
                    if (last is { } before && position <= before)
                    {
                        Problem($"entry at {position} comes after the entry at {before}: positions out of order");
                    }

                    last = position;
                    if (!CrashPayload.TryDecode(message.Payload.Span, out var sequence, out var error))
                    {
                        Problem($"entry at {position} (entry #{stored - 1} read): {error}");
                        expected++;
                        continue;
                    }

                    if (sequence > expected)
                    {
                        Problem($"gap: seqs {expected}..{sequence - 1} are missing; seq {sequence} at {position} follows seq {expected - 1}"
                            + KnownAt(expected));
                    }
                    else if (sequence < expected)
                    {
                        Problem($"duplicate or reordered entry: seq {sequence} at {position} where seq {expected} was due" + KnownAt(sequence));
                    }

                    if (message.Properties.TryGetValue(CrashPayload.SequenceProperty, out var property)
                        && property != sequence.ToString(CultureInfo.InvariantCulture))
                    {
                        Problem($"entry at {position} holds seq {sequence} but its property {CrashPayload.SequenceProperty} is '{property}'");
                    }

                    if (_known.TryGetValue(sequence, out var known) && known.Position != position)
                    {
                        Problem($"seq {sequence} read at {position}, but it was at {known.Position} ({known.Source})");
                    }

                    readBack.Add((sequence, position));
                    lastSequence = Math.Max(lastSequence, sequence);
                    expected = sequence + 1;
                }
            }

            if (lastSequence < _highestKnown)
            {
                var firstLost = lastSequence + 1;
                var lost = _known.TryGetValue(firstLost, out var k) ? $"{k.Position} ({k.Source})" : "(position unknown)";
                Problem($"the log ends at seq {lastSequence} (position {last?.ToString() ?? "none"}), but seq {firstLost} at {lost} "
                    + $"and later ones up to seq {_highestKnown} are known to have been stored");
            }

            var lastDurable = await log.GetLastPositionAsync(deadline.Token);
            if (lastDurable != last)
            {
                Problem($"GetLastPositionAsync says {lastDurable?.ToString() ?? "null"}, but the last entry read is at {last?.ToString() ?? "none"}");
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Problem($"verification did not finish within {timeout.TotalSeconds} s (read {stored} entries, last at {last}): opening or reading the log hangs");
        }
        catch (Exception ex)
        {
            Problem($"verification failed after reading {stored} entries (last at {last}): {ex}");
        }

        foreach (var (sequence, position) in readBack)
        {
            if (!_known.ContainsKey(sequence))
            {
                _known[sequence] = (position, $"read back after {label}");
            }
        }

        _highestKnown = Math.Max(_highestKnown, lastSequence);
        _verifiedNext = problemCount == 0 ? lastSequence + 1 : null;
        return new Verification(stored, last, problems, problemCount);
    }

    private string KnownAt(long sequence) =>
        _known.TryGetValue(sequence, out var known) ? $"; seq {sequence} was at {known.Position} ({known.Source})" : "";
}
