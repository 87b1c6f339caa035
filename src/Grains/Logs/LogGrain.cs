using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Grains.Diagnostics;
using Woodpecker.Grains.Messages;
using Woodpecker.Grains.Metadata;
using Woodpecker.Grains.Metadata.Records;
using Woodpecker.Grains.Segments;
using Woodpecker.Naming;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime;
using Woodpecker.Storage.Abstractions;

namespace Woodpecker.Grains.Logs;

/// <summary>
/// A log's control plane. Holds the log record, the writer epoch and the segment list; creates segments for the
/// current writer only (every creation compares the writer epoch in the same metadata transaction); fences old
/// writers; truncates and collects. Segment states change only through the segment grains, so this grain's list
/// is a cache that is refreshed from metadata whenever an answer depends on it.
/// </summary>
internal sealed class LogGrain : Grain, ILogGrain
{
    private const int CasAttempts = 8;

    // How long the completion of a rolled-over segment waits for the first append to the next one, and how often it
    // is tried when the metadata store does not answer (see CompleteInBackgroundAsync).
    private const int FirstAppendWaitMs = 1000;
    private const int BackgroundCompletionAttempts = 10;

    private LogMetadata _metadata;
    private readonly ISegmentStorage _storage;
    private readonly LogServiceOptions _options;
    private readonly ILogger _logger;
    private readonly SortedDictionary<long, Versioned<SegmentRecord>> _segments = [];
    private Versioned<LogRecord>? _log;
    private long _writerEpoch;
    private Prepared? _prepared;
    private TaskCompletionSource _segmentsChanged = NewSignal();

    public LogGrain(LogMetadata metadata, ISegmentStorage storage, LogServiceOptions options, ILoggerFactory loggerFactory)
    {
        _metadata = metadata;
        _storage = storage;
        _options = options;
        _logger = loggerFactory.CreateLogger<LogGrain>();
    }

    private long LogId => _log!.Record.LogId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Every metadata write of this activation is fenced by its directory epoch (a no-op in embedded mode).
        _metadata = _metadata.FencedBy(ActivationFence);
        LogNames.Validate(Key);
        _log = await _metadata.GetLogAsync(Key, cancellationToken);
        if (_log is not null)
        {
            await ReloadAsync(cancellationToken);
        }
    }

    public async Task<LogInfo> CreateAsync(CreateLogRequest request, CancellationToken cancellationToken)
    {
        if (_log is not null)
        {
            throw new LogAlreadyExistsException($"The log '{Key}' exists already.");
        }

        _log = await _metadata.CreateLogAsync(Key, NowUnixMs(), cancellationToken);
        _segments.Clear();
        _writerEpoch = 0;
        _prepared = null;
        return Describe();
    }

    public Task<LogInfo> GetInfoAsync(GetLogRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        return Task.FromResult(Describe());
    }

    public async Task<DeleteLogResponse> DeleteAsync(DeleteLogRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        var log = _log!;

        // Fence first, so the writer can neither roll nor keep appending while its log disappears.
        var epoch = await TakeWriterEpochAsync("delete", requiredCurrentEpoch: 0, cancellationToken);
        await CompleteActiveSegmentsAsync(epoch, cancellationToken);
        if (!await _metadata.DeleteLogAsync(log.Record, log.ModRevision, NowUnixMs(), cancellationToken))
        {
            throw new ConflictException($"The log '{Key}' changed while it was being deleted; nothing was deleted. Retry.");
        }

        _log = null;
        _segments.Clear();
        SignalSegmentsChanged();
        try
        {
            await _storage.DeleteLogAsync(log.Record.LogId, cancellationToken);
            await _metadata.DeleteCollectionAsync(log.Record.LogId, cancellationToken);
        }
        catch (Exception ex) when (ex is WoodpeckerException or IOException)
        {
            // The collection record written with the deletion makes the sweeper retry; nothing leaks.
            GrainLog.CollectionFailed(_logger, log.Record.LogId, ex);
        }

        DeactivateOnIdle();
        return new DeleteLogResponse();
    }

    public async Task<WriterGrant> OpenWriterAsync(OpenWriterRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        var epoch = await TakeWriterEpochAsync("writer", request.ExpectedWriterEpoch, cancellationToken);
        await CompleteActiveSegmentsAsync(epoch, cancellationToken);
        GrainLog.WriterOpened(_logger, Key, epoch);
        return new WriterGrant { LogId = LogId, WriterEpoch = epoch };
    }

    public async Task<SegmentGrant> RollAsync(RollRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        if (request.WriterEpoch != _writerEpoch)
        {
            throw FencedWriter(request.WriterEpoch);
        }

        // A segment prepared for this writer while its current one filled up: hand it over without touching metadata,
        // so the append waiting for this roll waits for no etcd round trip at all. This is as safe as the creation at
        // the roll: the prepared record was created by the same transaction comparing this writer's epoch, and a newer
        // writer completes every active segment (the prepared one included) before it appends, exactly as it fences
        // the writer's current segment. A prepared segment that was completed meanwhile (idle, deactivated) refuses
        // the first append as closed, and the writer rolls again onto a segment created here.
        var prepared = _prepared;
        _prepared = null;
        long segmentId;
        if (prepared is { } p && p.WriterEpoch == request.WriterEpoch && p.SegmentId > request.FromSegmentId
            && _segments.TryGetValue(p.SegmentId, out var record) && record.Record.State == SegmentState.Active)
        {
            segmentId = p.SegmentId;
        }
        else
        {
            segmentId = await CreateNextSegmentAsync(request.WriterEpoch, cancellationToken);
        }

        if (request.FromSegmentId >= 0 && _segments.TryGetValue(request.FromSegmentId, out var previous)
            && previous.Record.State == SegmentState.Active)
        {
            // Completing the old segment is off the append path: the writer continues on the new one now.
            _ = CompleteInBackgroundAsync(request.FromSegmentId, request.WriterEpoch, segmentId);
        }

        return new SegmentGrant { SegmentId = segmentId };
    }

    /// <summary>
    /// Creates the segment that the writer's next roll will hand over, while the writer still appends to
    /// <see cref="RollRequest.FromSegmentId"/>, and activates its grain (which creates its file). Rolling used to
    /// create the next segment only when the writer asked for it, so the append at every roll boundary waited for the
    /// segment transaction, then the new grain's activation (a metadata read) and its file creation: two or three
    /// etcd round trips and two directory fsyncs, tens of milliseconds at etcd's p99. Done here ahead of time, the
    /// roll only hands the segment over. Idempotent: at most one prepared segment per writer.
    /// </summary>
    public async Task<SegmentGrant> PrepareRollAsync(RollRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        if (request.WriterEpoch != _writerEpoch)
        {
            throw FencedWriter(request.WriterEpoch);
        }

        var next = _segments.Count == 0 ? 0 : _segments.Keys.Max() + 1;
        if (_prepared is { } existing && existing.WriterEpoch == request.WriterEpoch)
        {
            return new SegmentGrant { SegmentId = existing.SegmentId };
        }

        if (next - 1 != request.FromSegmentId)
        {
            return new SegmentGrant { SegmentId = -1 }; // the writer has rolled past that segment already
        }

        var segmentId = await CreateNextSegmentAsync(request.WriterEpoch, cancellationToken);
        _prepared = new Prepared(segmentId, request.WriterEpoch);

        // Activating now creates the segment's file, so the first append to it does not wait for that either.
        await SegmentGrain(segmentId).GetStateAsync(new SegmentStateRequest(), cancellationToken);
        return new SegmentGrant { SegmentId = segmentId };
    }

    public async Task<LogView> GetSegmentsAsync(SegmentsRequest request, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, request.WaitMs));
        while (true)
        {
            RequireLog();
            var remaining = wait - TimeProvider.GetElapsedTime(started);
            if ((_segments.Count > 0 && _segments.Keys.Max() > request.AfterSegmentId) || remaining <= TimeSpan.Zero)
            {
                var view = new LogView { LogId = LogId, TruncatedTo = _log!.Record.TruncatedTo };
                view.Segments.AddRange(_segments.Values.Select(s => ToInfo(s.Record)));
                return view;
            }

            try
            {
                await _segmentsChanged.Task.WaitAsync(remaining, TimeProvider, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Answer with what is known; the caller asks again.
            }
        }
    }

    public async Task<ListSegmentsResponse> ListSegmentsAsync(ListSegmentsRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        await ReloadAsync(cancellationToken);
        var response = new ListSegmentsResponse();
        foreach (var segment in _segments.Values)
        {
            response.Segments.Add(segment.Record.State == SegmentState.Active
                ? await SegmentGrain(segment.Record.SegmentId).GetStateAsync(new SegmentStateRequest(), cancellationToken)
                : ToInfo(segment.Record));
        }

        return response;
    }

    public async Task<GetLastPositionResponse> GetLastPositionAsync(GetLastPositionRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        await ReloadAsync(cancellationToken);
        foreach (var segment in _segments.Values.Reverse())
        {
            var count = await DurableCountAsync(segment.Record, cancellationToken);
            if (count > 0)
            {
                return new GetLastPositionResponse { Position = new Position { SegmentId = segment.Record.SegmentId, EntryId = count - 1 } };
            }
        }

        return new GetLastPositionResponse();
    }

    public async Task<TruncateResponse> TruncateAsync(TruncateRequest request, CancellationToken cancellationToken)
    {
        RequireLog();
        var upTo = request.UpTo ?? throw new WoodpeckerException(WoodpeckerErrorCode.InvalidArgument, "Truncate needs a position (up_to).");
        await ReloadAsync(cancellationToken);
        if (!_segments.TryGetValue(upTo.SegmentId, out var segment))
        {
            throw new PositionNotFoundException($"Log '{Key}' has no segment {upTo.SegmentId}; it cannot be truncated to {upTo.SegmentId}:{upTo.EntryId}.");
        }

        var count = await DurableCountAsync(segment.Record, cancellationToken);
        if (upTo.EntryId < 0 || upTo.EntryId >= count)
        {
            throw new PositionNotFoundException(
                $"Position {upTo.SegmentId}:{upTo.EntryId} does not exist in log '{Key}' (segment {upTo.SegmentId} holds {count} durable entries); nothing was truncated.");
        }

        for (var attempt = 0; attempt < CasAttempts; attempt++)
        {
            var current = _log!;
            if (current.Record.TruncatedTo is { } existing && Compare(existing, upTo) >= 0)
            {
                return new TruncateResponse { TruncatedTo = existing }; // truncation only moves forward
            }

            var updated = current.Record.Clone();
            updated.TruncatedTo = upTo.Clone();
            var revision = await _metadata.UpdateLogAsync(updated, current.ModRevision, cancellationToken);
            if (revision is { } r)
            {
                _log = new Versioned<LogRecord>(updated, r);
                var due = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
                await _metadata.ScheduleCollectionAsync(LogId, Key, due, cancellationToken);
                return new TruncateResponse { TruncatedTo = updated.TruncatedTo };
            }

            _log = await _metadata.GetLogAsync(Key, cancellationToken);
            RequireLog();
        }

        throw new ConflictException($"The log '{Key}' kept changing while it was being truncated; nothing was truncated. Retry.");
    }

    /// <summary>
    /// One collection pass over the log's segments, oldest first: segments wholly below the truncation point are marked
    /// truncated and, after the retention delay and once no reader is at or before them, deleted; completed segments
    /// are compacted (or just sealed where the backend has nothing to gain); objects a compaction replaced are deleted
    /// after the grace period, unless a reader is still in that segment. Whatever must wait makes the log due again.
    /// </summary>
    public async Task<CollectResponse> CollectAsync(CollectRequest request, CancellationToken cancellationToken)
    {
        if (_log is null)
        {
            return new CollectResponse();
        }

        var seen = await _metadata.GetCollectionAsync(LogId, cancellationToken);
        await ReloadAsync(cancellationToken);
        var truncatedTo = _log.Record.TruncatedTo;
        var now = TimeProvider.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var readers = await _metadata.ListReadersAsync(LogId, cancellationToken);
        var readerSegments = readers.Select(r => r.SegmentId).ToHashSet();
        var oldestReaderSegment = readers.Count == 0 ? long.MaxValue : readers.Min(r => r.SegmentId);
        var laterMs = (now + _options.CollectionInterval).ToUnixTimeMilliseconds();
        var deleted = 0;
        long? nextDueUnixMs = null;
        foreach (var segment in _segments.Values.ToList())
        {
            var current = segment;
            var address = new SegmentAddress(LogId, current.Record.SegmentId);
            if (truncatedTo is not null && current.Record.SegmentId <= truncatedTo.SegmentId)
            {
                var record = current.Record;
                var whollyBelow = record.SegmentId < truncatedTo.SegmentId || truncatedTo.EntryId >= record.EntryCount - 1;
                if (record.State is SegmentState.Completed or SegmentState.Sealed && whollyBelow)
                {
                    current = await UpdateSegmentAsync(current, r =>
                    {
                        r.State = SegmentState.Truncated;
                        r.TruncatedUnixMs = nowMs;
                    }, cancellationToken) ?? current;
                }

                if (current.Record.State != SegmentState.Truncated)
                {
                    // Still active (or being completed): look again later.
                    nextDueUnixMs = Min(nextDueUnixMs, laterMs);
                    continue;
                }

                var expires = current.Record.TruncatedUnixMs + (long)_options.TruncationRetention.TotalMilliseconds;
                if (expires > nowMs || current.Record.SegmentId >= oldestReaderSegment)
                {
                    nextDueUnixMs = Min(nextDueUnixMs, Math.Max(expires, laterMs));
                    continue;
                }

                await _storage.DeleteSegmentAsync(address, cancellationToken);
                await _metadata.DeleteSegmentAsync(LogId, current.Record.SegmentId, current.ModRevision, cancellationToken);
                _segments.Remove(current.Record.SegmentId);
                LogMetrics.SegmentsDeleted.Add(1);
                GrainLog.SegmentCollected(_logger, Key, current.Record.SegmentId);
                deleted++;
                continue;
            }

            if (current.Record.State == SegmentState.Completed && _storage.SupportsCompaction)
            {
                // Compaction's new footer is its commit point; the state change here only records that it happened.
                var compaction = await _storage.CompactAsync(address, cancellationToken);
                var deleteAfter = nowMs + (long)_options.CompactionGracePeriod.TotalMilliseconds;
                current = await UpdateSegmentAsync(current, r =>
                {
                    r.State = SegmentState.Sealed;
                    if (compaction is not null)
                    {
                        r.ReplacedObjects.AddRange(compaction.ReplacedObjects);
                        r.ReplacedDeleteAfterUnixMs = deleteAfter;
                        r.SizeBytes = compaction.Footer.DataLength;
                    }
                }, cancellationToken) ?? current;
            }

            if (current.Record.ReplacedObjects.Count > 0)
            {
                if (current.Record.ReplacedDeleteAfterUnixMs > nowMs || readerSegments.Contains(current.Record.SegmentId))
                {
                    nextDueUnixMs = Min(nextDueUnixMs, Math.Max(current.Record.ReplacedDeleteAfterUnixMs, laterMs));
                    continue;
                }

                await _storage.DeleteReplacedObjectsAsync(address, current.Record.ReplacedObjects, cancellationToken);
                await UpdateSegmentAsync(current, r =>
                {
                    r.ReplacedObjects.Clear();
                    r.ReplacedDeleteAfterUnixMs = 0;
                }, cancellationToken);
            }
        }

        await _metadata.FinishCollectionAsync(LogId, Key, seen, nextDueUnixMs, cancellationToken);
        return new CollectResponse { DeletedSegments = deleted };
    }

    /// <summary>Creates the segment after the last one for the writer holding <paramref name="writerEpoch"/>; throws when it was fenced.</summary>
    private async Task<long> CreateNextSegmentAsync(long writerEpoch, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < CasAttempts; attempt++)
        {
            var segmentId = _segments.Count == 0 ? 0 : _segments.Keys.Max() + 1;
            var record = new SegmentRecord
            {
                SegmentId = segmentId,
                State = SegmentState.Active,
                WriterEpoch = writerEpoch,
                CreatedUnixMs = NowUnixMs(),
                LogName = Key,
            };

            // The transaction compares the writer epoch: a fenced writer can never create a segment.
            var creating = TimeProvider.GetTimestamp();
            var revision = await _metadata.CreateSegmentAsync(LogId, writerEpoch, record, cancellationToken);
            LogMetrics.SegmentCreateDuration.Record(TimeProvider.GetElapsedTime(creating).TotalMilliseconds);
            if (revision is { } r)
            {
                _segments[segmentId] = new Versioned<SegmentRecord>(record, r);
                SignalSegmentsChanged();
                return segmentId;
            }

            await ReloadAsync(cancellationToken);
            if (writerEpoch != _writerEpoch)
            {
                throw FencedWriter(writerEpoch);
            }
        }

        throw new ConflictException($"Could not create a new segment for log '{Key}': its metadata keeps changing. Retry.");
    }

    /// <summary>Applies <paramref name="change"/> to a segment record with compare-and-swap; null when it changed meanwhile.</summary>
    private async Task<Versioned<SegmentRecord>?> UpdateSegmentAsync(Versioned<SegmentRecord> segment, Action<SegmentRecord> change, CancellationToken cancellationToken)
    {
        var updated = segment.Record.Clone();
        change(updated);
        if (await _metadata.UpdateSegmentAsync(LogId, updated, segment.ModRevision, cancellationToken) is not { } revision)
        {
            return null;
        }

        var fresh = new Versioned<SegmentRecord>(updated, revision);
        _segments[updated.SegmentId] = fresh;
        return fresh;
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        _log = await _metadata.GetLogAsync(Key, cancellationToken);
        _segments.Clear();
        if (_log is null)
        {
            return;
        }

        foreach (var segment in await _metadata.ListSegmentsAsync(LogId, cancellationToken))
        {
            _segments[segment.Record.SegmentId] = segment;
        }

        _writerEpoch = await _metadata.GetWriterEpochAsync(LogId, cancellationToken);
    }

    /// <summary>Bumps the writer epoch with compare-and-swap; the new epoch fences every earlier writer.</summary>
    private async Task<long> TakeWriterEpochAsync(string writerId, long requiredCurrentEpoch, CancellationToken cancellationToken)
    {
        _prepared = null; // the earlier writer's prepared segment is completed with its other active ones
        for (var attempt = 0; attempt < CasAttempts; attempt++)
        {
            var expected = await _metadata.GetWriterEpochAsync(LogId, cancellationToken);
            if (requiredCurrentEpoch != 0 && expected != requiredCurrentEpoch)
            {
                // The compare-and-swap below compares this same value, so no newer writer can slip in after this check.
                throw new WriterFencedException(
                    $"The writer of log '{Key}' with epoch {requiredCurrentEpoch} cannot reopen: a newer writer (epoch {expected}) took over. Open a new writer if you mean to fence it.");
            }

            var epoch = await _metadata.BumpWriterEpochAsync(
                LogId, expected, new WriterRecord { OpenedUnixMs = NowUnixMs(), WriterId = writerId }, cancellationToken);
            if (epoch is { } e)
            {
                _writerEpoch = e;
                return e;
            }
        }

        throw new ConflictException($"Could not take the writer role of log '{Key}': writers keep opening concurrently. Retry.");
    }

    private async Task CompleteActiveSegmentsAsync(long epoch, CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        foreach (var segment in _segments.Values.Where(s => s.Record.State == SegmentState.Active).ToList())
        {
            await SegmentGrain(segment.Record.SegmentId).CompleteAsync(new CompleteSegmentRequest { WriterEpoch = epoch }, cancellationToken);
        }

        await ReloadAsync(cancellationToken);
        SignalSegmentsChanged();
    }

    private async Task CompleteInBackgroundAsync(long segmentId, long epoch, long nextSegmentId)
    {
        // Let the append that waited for the roll go first. Completing writes the old segment's footer (write,
        // fdatasync, rename, directory fsync) and updates its record (a WAL fsync in etcd, often on the same disk);
        // run at once, that competes with the new segment's first fdatasync — the one append whose latency a roll
        // exposes in full, because the writer drained its pipeline for the roll — and measurably stretched it. The
        // wait is a long poll that returns as soon as the new segment's first entry is durable, and is bounded, so
        // a writer that stops appending does not keep the old segment open.
        try
        {
            await SegmentGrain(nextSegmentId).ReadAsync(
                new SegmentReadRequest { FromEntryId = 0, MaxEntries = 1, MaxBytes = 1, WaitMs = FirstAppendWaitMs }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WoodpeckerException or TimeoutException)
        {
            // Complete it anyway.
        }

        // A roll onto a prepared segment needs no metadata, so etcd may be unreachable right now: retry with backoff
        // (bounded), or readers of the old segment would wait on it until the next writer or its deactivation.
        var backoff = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SegmentGrain(segmentId).CompleteAsync(new CompleteSegmentRequest { WriterEpoch = epoch }, CancellationToken.None);
                if (_log is not null && await _metadata.GetSegmentAsync(LogId, segmentId, CancellationToken.None) is { } fresh)
                {
                    _segments[segmentId] = fresh;
                }

                return;
            }
            catch (WriterFencedException)
            {
                return; // a newer writer completes every active segment itself
            }
            catch (Exception ex) when ((ex is WoodpeckerException or TimeoutException) && attempt < BackgroundCompletionAttempts && _log is not null)
            {
                await Task.Delay(backoff, TimeProvider);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
            catch (Exception ex) when (ex is WoodpeckerException or TimeoutException)
            {
                // The next writer (or the segment's deactivation) completes it.
                GrainLog.BackgroundCompletionFailed(_logger, $"{Key}/{segmentId}", ex);
                return;
            }
        }
    }

    private async Task<long> DurableCountAsync(SegmentRecord record, CancellationToken cancellationToken) =>
        record.State == SegmentState.Active
            ? (await SegmentGrain(record.SegmentId).GetStateAsync(new SegmentStateRequest(), cancellationToken)).EntryCount
            : record.EntryCount;

    private ISegmentGrain SegmentGrain(long segmentId) =>
        GrainFactory.GetGrain<ISegmentGrain>(SegmentGrainInterface.Key(LogId, segmentId));

    private void RequireLog()
    {
        if (_log is null)
        {
            throw new LogNotFoundException($"The log '{Key}' does not exist. Create it first (CreateLogAsync / wp log create).");
        }
    }

    private LogInfo Describe()
    {
        var record = _log!.Record;
        return new LogInfo { Name = record.Name, LogId = record.LogId, CreatedUnixMs = record.CreatedUnixMs, TruncatedTo = record.TruncatedTo };
    }

    private WriterFencedException FencedWriter(long epoch) =>
        new($"The writer with epoch {epoch} of log '{Key}' was fenced: a newer writer (epoch {_writerEpoch}) opened the log. Open a new writer if this process should write again.");

    private void SignalSegmentsChanged()
    {
        var previous = _segmentsChanged;
        _segmentsChanged = NewSignal();
        previous.TrySetResult();
    }

    private long NowUnixMs() => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static SegmentInfo ToInfo(SegmentRecord record) => new()
    {
        SegmentId = record.SegmentId,
        State = record.State,
        EntryCount = record.EntryCount,
        SizeBytes = record.SizeBytes,
        WriterEpoch = record.WriterEpoch,
        CreatedUnixMs = record.CreatedUnixMs,
        CompletedUnixMs = record.CompletedUnixMs,
    };

    private static int Compare(Position a, Position b) =>
        a.SegmentId != b.SegmentId ? a.SegmentId.CompareTo(b.SegmentId) : a.EntryId.CompareTo(b.EntryId);

    private static long? Min(long? a, long b) => a is null ? b : Math.Min(a.Value, b);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A segment created ahead of the roll of the writer holding <paramref name="WriterEpoch"/>.</summary>
    private readonly record struct Prepared(long SegmentId, long WriterEpoch);
}
