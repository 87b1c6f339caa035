using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Grains.Diagnostics;
using Woodpecker.Grains.Messages;
using Woodpecker.Grains.Metadata;
using Woodpecker.Grains.Metadata.Records;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime;
using Woodpecker.Runtime.Timers;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Grains.Segments;

/// <summary>
/// The active segment's leader. Appends are assigned ids in arrival order and encoded at once into the open block;
/// blocks are flushed by the backend's policy (group commit: whatever arrives while a flush runs shares the next
/// one); each append completes when the block holding its last entry is durable, and blocks complete strictly in
/// order, so acknowledgements do too. The first failed flush fails every later pending append and closes the
/// segment, which is then completed from what storage holds.
/// </summary>
internal sealed class SegmentGrain : Grain, ISegmentGrain
{
    private const int RecordCasAttempts = 8;

    // Small, because thousands of quiet logs each hold a block buffer; busy segments grow theirs and keep it as a spare.
    private const int InitialBlockCapacity = 8 * 1024;

    private LogMetadata _metadata;
    private readonly ISegmentStorage _storage;
    private readonly LogServiceOptions _options;
    private readonly ILogger _logger;
    private readonly TailCache _tail;
    private readonly Queue<PendingBlock> _sealed = new();
    private readonly Queue<PendingBlock> _flushing = new();
    private readonly Stack<BlockBuilder> _spareBuilders = new();

    private SegmentAddress _address;
    private Versioned<SegmentRecord>? _record;
    private StorageFlushPolicy _policy = null!;
    private ISegmentWriter? _writer;
    private PendingBlock? _open;
    private long _nextEntryId;
    private long _durableEnd;
    private long _bytesAccepted;
    private bool _accepting;
    private long _fencedByEpoch;
    private Exception? _failure;
    private Task<SegmentInfo>? _completion;
    private SegmentFooter? _footer;
    private bool _footerAttempted;
    private TaskCompletionSource _changed = NewSignal();
    private IGrainTimer? _flushTimer;
    private IGrainTimer? _idleTimer;
    private long _lastAppendTimestamp;
    private long _firstAppendTimestamp;

    /// <summary>An append answer told the writer to roll: the entries accepted so far are this segment's last.</summary>
    private bool _rollRequested;

    public SegmentGrain(LogMetadata metadata, ISegmentStorage storage, LogServiceOptions options, ILoggerFactory loggerFactory)
    {
        _metadata = metadata;
        _storage = storage;
        _options = options;
        _logger = loggerFactory.CreateLogger<SegmentGrain>();
        _tail = new TailCache(options.TailCacheBytes, ReturnBuilder);
    }

    private bool IsCompleted => _record is { Record.State: not SegmentState.Active };

    /// <summary>No further append will be accepted (the writer was told to roll, or the segment closed) but it is not complete yet.</summary>
    private bool IsClosing => !IsCompleted && (_rollRequested || !_accepting);

    private long WriterEpoch => _record?.Record.WriterEpoch ?? 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Every metadata write of this activation is fenced by its directory epoch (a no-op in embedded mode).
        _metadata = _metadata.FencedBy(ActivationFence);
        var (logId, segmentId) = SegmentGrainInterface.ParseKey(Key);
        _address = new SegmentAddress(logId, segmentId);
        _policy = _storage.FlushPolicy;
        _record = await _metadata.GetSegmentAsync(logId, segmentId, cancellationToken);
        if (_record is not { } versioned)
        {
            return; // deleted, or never created: reads answer "missing", appends "closed"
        }

        if (versioned.Record.State != SegmentState.Active)
        {
            _durableEnd = _nextEntryId = versioned.Record.EntryCount;
            return;
        }

        var footer = await _storage.TryReadFooterAsync(_address, cancellationToken);
        if (footer is null)
        {
            try
            {
                // A fresh segment: storage refuses if a previous activation wrote to it, in which case its writer
                // is gone and the segment must be recovered rather than continued.
                _writer = await _storage.CreateWriterAsync(_address, versioned.Record.WriterEpoch, cancellationToken);
                _accepting = true;
                _lastAppendTimestamp = TimeProvider.GetTimestamp();
                var check = TimeSpan.FromTicks(Math.Max(_options.SegmentIdleCompleteAge.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
                _idleTimer = RegisterTimer(CompleteIfIdleAsync, check, check);
                return;
            }
            catch (WoodpeckerException ex) when (ex is StorageUnavailableException or WriterFencedException)
            {
                GrainLog.RecoveringSegment(_logger, Key);
            }

            footer = await _storage.RecoverAsync(_address, versioned.Record.WriterEpoch, cancellationToken);
        }

        await RecordCompletionAsync(footer, "recovered after restart", cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_record is { Record.State: SegmentState.Active })
        {
            // Never leave an idle segment open: completing it is what lets readers and compaction move past it.
            await CompleteOnceAsync($"deactivated ({reason})");
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        _tail.Clear();
        while (_spareBuilders.TryPop(out var builder))
        {
            builder.Dispose();
        }
    }

    public Task<AppendResult> AppendAsync(AppendBatch request, CancellationToken cancellationToken)
    {
        if (request.WriterEpoch < Math.Max(_fencedByEpoch, WriterEpoch))
        {
            throw Fenced();
        }

        if (!_accepting || request.WriterEpoch != WriterEpoch)
        {
            return Task.FromResult(new AppendResult { Status = AppendStatus.SegmentClosed });
        }

        if (request.Entries.Count == 0)
        {
            throw new InvalidPayloadException("An append batch must hold at least one entry.");
        }

        // Check everything before assigning anything: bad input changes nothing.
        foreach (var entry in request.Entries)
        {
            _options.EntryLimits.Validate(entry.Payload.Length, entry.Properties);
        }

        // No await may come before the ids are assigned: appends interleave, and ids follow arrival order.
        var first = _nextEntryId;
        PendingBlock last = null!;
        foreach (var entry in request.Entries)
        {
            last = AddToOpenBlock(entry);
        }

        request.Consumed?.Invoke(); // the payloads live on in the blocks; the writer may reuse its buffers
        _lastAppendTimestamp = TimeProvider.GetTimestamp();
        if (first == 0)
        {
            _firstAppendTimestamp = _lastAppendTimestamp;
        }

        FlushWhatIsDue();
        return AcknowledgeAsync(last, first, request.Entries.Count);
    }

    public async Task<SegmentInfo> CompleteAsync(CompleteSegmentRequest request, CancellationToken cancellationToken)
    {
        if (_record is null)
        {
            throw new PositionNotFoundException($"Segment {_address.SegmentId} of log {_address.LogId} does not exist.");
        }

        if (request.WriterEpoch < WriterEpoch)
        {
            throw Fenced();
        }

        if (request.WriterEpoch > WriterEpoch)
        {
            _fencedByEpoch = Math.Max(_fencedByEpoch, request.WriterEpoch);
        }

        return await CompleteOnceAsync(request.WriterEpoch > WriterEpoch ? "fenced by a newer writer" : "rolled or closed");
    }

    public async Task<SegmentReadResponse> ReadAsync(SegmentReadRequest request, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, request.WaitMs));
        while (true)
        {
            if (_record is null)
            {
                return new SegmentReadResponse { Missing = true };
            }

            var response = new SegmentReadResponse { DurableEnd = _durableEnd, Completed = IsCompleted, Closing = IsClosing };
            if (request.FromEntryId < _durableEnd)
            {
                if (!_tail.TryRead(request.FromEntryId, Math.Max(1, request.MaxEntries), Math.Max(1, request.MaxBytes), response.Entries))
                {
                    response.ReadFromStorage = true;
                }

                return response;
            }

            var remaining = wait - TimeProvider.GetElapsedTime(started);
            if (response.Completed || remaining <= TimeSpan.Zero || (request.WaitOnlyWhileClosing && !response.Closing))
            {
                return response;
            }

            try
            {
                await _changed.Task.WaitAsync(remaining, TimeProvider, cancellationToken);
            }
            catch (TimeoutException)
            {
                return new SegmentReadResponse { DurableEnd = _durableEnd, Completed = IsCompleted, Closing = IsClosing, Missing = _record is null };
            }
        }
    }

    public Task<SegmentInfo> GetStateAsync(SegmentStateRequest request, CancellationToken cancellationToken) =>
        _record is null
            ? throw new PositionNotFoundException($"Segment {_address.SegmentId} of log {_address.LogId} does not exist.")
            : Task.FromResult(Describe());

    private PendingBlock AddToOpenBlock(Entry entry)
    {
        var block = _open ??= new PendingBlock(RentBuilder(), _nextEntryId, TimeProvider.GetTimestamp());
        block.Builder.Add(entry.Payload.Span, entry.Properties.Count == 0 ? null : entry.Properties);
        block.PayloadBytes += entry.Payload.Length;
        _nextEntryId++;
        _bytesAccepted += entry.Payload.Length;
        if (block.Builder.Length >= _policy.MaxBlockBytes)
        {
            _sealed.Enqueue(block);
            _open = null;
        }

        return block;
    }

    private async Task<AppendResult> AcknowledgeAsync(PendingBlock block, long firstEntryId, int count)
    {
        try
        {
            await block.Durable.Task;
        }
        catch (WoodpeckerException error)
        {
            // A batch can span blocks: report exactly which of its entries are durable, so the writer acknowledges
            // those and fails only the rest.
            return new AppendResult
            {
                Status = AppendStatus.Failed,
                FirstEntryId = firstEntryId,
                DurableCount = (int)Math.Clamp(_durableEnd - firstEntryId, 0, count),
                ErrorCode = (int)error.ErrorCode,
                ErrorMessage = error.Message,
            };
        }

        var rollRequested = ShouldRoll();
        _rollRequested |= rollRequested;
        return new AppendResult { Status = AppendStatus.Ok, FirstEntryId = firstEntryId, RollRequested = rollRequested, RollSoon = !rollRequested && RollExpectedSoon() };
    }

    private bool ShouldRoll() =>
        _nextEntryId >= _options.SegmentRollEntries
        || _bytesAccepted >= _options.SegmentRollBytes
        || DateTimeOffset.FromUnixTimeMilliseconds(_record!.Record.CreatedUnixMs) + _options.SegmentRollAge <= TimeProvider.GetUtcNow();

    /// <summary>
    /// True when this segment is expected to reach a roll limit within the prepare lead: its age limit is that close,
    /// or, at the rate entries and bytes arrived since its first append, its entry or size limit is. The writer then
    /// has the next segment created ahead of the roll (<see cref="Logs.ILogGrain.PrepareRollAsync"/>). The lead stays
    /// under the idle-completion age, so a prepared segment is not completed as idle before the writer gets to it.
    /// </summary>
    private bool RollExpectedSoon()
    {
        var lead = TimeSpan.FromTicks(Math.Min(_options.SegmentPrepareLead.Ticks, _options.SegmentIdleCompleteAge.Ticks / 2));
        if (lead <= TimeSpan.Zero)
        {
            return false;
        }

        var untilAgeLimit = DateTimeOffset.FromUnixTimeMilliseconds(_record!.Record.CreatedUnixMs) + _options.SegmentRollAge - TimeProvider.GetUtcNow();
        if (untilAgeLimit <= lead)
        {
            return true;
        }

        var filling = TimeProvider.GetElapsedTime(_firstAppendTimestamp).TotalSeconds;
        return _nextEntryId > 0 && filling > 0
            && (SecondsUntil(_nextEntryId, _options.SegmentRollEntries, filling) <= lead.TotalSeconds
                || SecondsUntil(_bytesAccepted, _options.SegmentRollBytes, filling) <= lead.TotalSeconds);
    }

    // How long until `current` reaches `limit` at the rate it grew over `seconds`; infinite while it has not grown.
    private static double SecondsUntil(long current, long limit, double seconds) =>
        current <= 0 ? double.PositiveInfinity : (double)(limit - current) * seconds / current;

    /// <summary>Starts flushes while slots are free: sealed blocks first, then the open block once it is due.</summary>
    private void FlushWhatIsDue(bool force = false)
    {
        while (_failure is null && _flushing.Count < _policy.MaxConcurrentFlushes)
        {
            PendingBlock next;
            if (_sealed.Count > 0)
            {
                next = _sealed.Dequeue();
            }
            else if (_open is not null && (force || _policy.MaxFlushDelay == TimeSpan.Zero
                                           || TimeProvider.GetElapsedTime(_open.CreatedTimestamp) >= _policy.MaxFlushDelay))
            {
                next = _open;
                _open = null;
            }
            else
            {
                break;
            }

            StartFlush(next);
        }

        if (_open is not null && _policy.MaxFlushDelay > TimeSpan.Zero && _flushing.Count < _policy.MaxConcurrentFlushes)
        {
            var due = _policy.MaxFlushDelay - TimeProvider.GetElapsedTime(_open.CreatedTimestamp);
            _flushTimer ??= RegisterTimer(_ =>
            {
                FlushWhatIsDue();
                return Task.CompletedTask;
            }, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _flushTimer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private void StartFlush(PendingBlock block)
    {
        var bytes = block.Builder.Seal(_address.SegmentId, block.FirstEntryId, WriterEpoch);
        block.FlushStartedTimestamp = TimeProvider.GetTimestamp();
        _flushing.Enqueue(block);
        _ = FlushAsync(block, bytes);
    }

    private async Task FlushAsync(PendingBlock block, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _writer!.WriteBlockAsync(bytes, CancellationToken.None);
            LogMetrics.BlocksFlushed.Add(1);
            LogMetrics.BlockBytes.Record(bytes.Length);
            LogMetrics.FlushDuration.Record(TimeProvider.GetElapsedTime(block.FlushStartedTimestamp).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            block.WriteError = ex;
        }

        block.WriteFinished = true;
        AcknowledgeFinishedBlocks();
    }

    /// <summary>Acknowledges flushed blocks from the oldest, stopping at the first still in flight: strictly in order.</summary>
    private void AcknowledgeFinishedBlocks()
    {
        while (_flushing.TryPeek(out var head) && head.WriteFinished)
        {
            _flushing.Dequeue();
            if (head.WriteError is not null || _failure is not null)
            {
                Fail(head, head.WriteError ?? _failure!);
                continue;
            }

            _durableEnd = head.EndEntryId;
            LogMetrics.EntriesAppended.Add(head.Builder.EntryCount);
            LogMetrics.BytesAppended.Add(head.PayloadBytes);
            _tail.Add(head.FirstEntryId, head.Builder);
            head.Durable.TrySetResult();
        }

        Signal();
        FlushWhatIsDue(force: _completion is not null);
    }

    /// <summary>Fails <paramref name="failed"/> and every block after it, closes the segment, and completes it from storage.</summary>
    private void Fail(PendingBlock failed, Exception error)
    {
        if (_failure is null)
        {
            _failure = error;
            _accepting = false;
            GrainLog.FlushFailed(_logger, Key, error);
            _ = CompleteOnceAsync("a flush failed");
        }

        var typed = error as WoodpeckerException
            ?? new StorageUnavailableException($"Making segment {_address.SegmentId} of log {_address.LogId} durable failed: {error.Message}", error);
        failed.Durable.TrySetException(typed);
        foreach (var block in _flushing.Concat(_sealed).Append(_open).OfType<PendingBlock>())
        {
            block.Durable.TrySetException(typed);
        }

        _sealed.Clear();
        _open = null;
    }

    private async Task CompleteIfIdleAsync(CancellationToken cancellationToken)
    {
        if (_accepting && _open is null && _sealed.Count == 0 && _flushing.Count == 0
            && TimeProvider.GetElapsedTime(_lastAppendTimestamp) >= _options.SegmentIdleCompleteAge)
        {
            await CompleteOnceAsync("idle");
        }
    }

    /// <summary>
    /// The segment's completion: the one under way or done, or a new attempt when the last one failed. A roll no
    /// longer needs the metadata store when the next segment was prepared ahead, so a writer may roll past this
    /// segment while etcd is briefly unreachable and its completion fails; it must be retried (the log grain does,
    /// and any later complete call does), or the segment would stay open and its readers would wait on it.
    /// </summary>
    private Task<SegmentInfo> CompleteOnceAsync(string reason)
    {
        if (_completion is { IsCompleted: true, IsCompletedSuccessfully: false })
        {
            _completion = null;
        }

        return _completion ??= CompleteCoreAsync(reason);
    }

    private async Task<SegmentInfo> CompleteCoreAsync(string reason)
    {
        _accepting = false;
        _idleTimer?.Dispose();
        if (_open is not null)
        {
            _sealed.Enqueue(_open);
            _open = null;
        }

        FlushWhatIsDue(force: true);
        while (_flushing.Count > 0 || _sealed.Count > 0)
        {
            await _changed.Task;
        }

        // The footer is decided once; a retry after a failed metadata update reuses it. A retry after the footer
        // itself failed recovers from storage instead (the first footer written wins either way).
        if (_footer is null)
        {
            if (_failure is null && _writer is not null && !_footerAttempted)
            {
                _footerAttempted = true;
                try
                {
                    _footer = await _writer.CompleteAsync(CancellationToken.None);
                }
                catch (WriterFencedException)
                {
                    _footer = await _storage.RecoverAsync(_address, WriterEpoch, CancellationToken.None);
                }
            }
            else
            {
                _footer = await _storage.RecoverAsync(_address, WriterEpoch, CancellationToken.None);
            }
        }

        return await RecordCompletionAsync(_footer, reason, CancellationToken.None);
    }

    /// <summary>Moves the segment record to Completed with the footer's counts (compare-and-swap).</summary>
    private async Task<SegmentInfo> RecordCompletionAsync(SegmentFooter footer, string reason, CancellationToken cancellationToken)
    {
        if (footer.EntryCount < _durableEnd)
        {
            // Cannot happen by construction (acknowledgement follows the fence check); make it loud if it ever does.
            GrainLog.AcknowledgedEntriesMissing(_logger, Key, footer.EntryCount, _durableEnd);
        }

        for (var attempt = 0; attempt < RecordCasAttempts && _record is { } current; attempt++)
        {
            if (current.Record.State != SegmentState.Active)
            {
                break; // completed by someone else already; their record is the truth
            }

            var completed = current.Record.Clone();
            completed.State = SegmentState.Completed;
            completed.EntryCount = footer.EntryCount;
            completed.SizeBytes = footer.DataLength;
            completed.CompletedUnixMs = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var revision = await _metadata.UpdateSegmentAsync(_address.LogId, completed, current.ModRevision, cancellationToken);
            if (revision is { } r)
            {
                _record = new Versioned<SegmentRecord>(completed, r);
                LogMetrics.SegmentsCompleted.Add(1);
                GrainLog.SegmentCompleted(_logger, Key, footer.EntryCount, reason);
                if (completed.LogName.Length > 0 && _storage.SupportsCompaction)
                {
                    await ScheduleCompactionAsync(completed.LogName, cancellationToken);
                }

                break;
            }

            _record = await _metadata.GetSegmentAsync(_address.LogId, _address.SegmentId, cancellationToken);
        }

        if (_record is { Record.State: SegmentState.Active })
        {
            throw new ConflictException($"Segment {_address.SegmentId} of log {_address.LogId} could not be marked complete: its record keeps changing. Retry.");
        }

        _accepting = false;
        _durableEnd = _nextEntryId = _record?.Record.EntryCount ?? footer.EntryCount;
        if (_writer is not null)
        {
            // A completed segment needs no open files; thousands of them must not hold descriptors until deactivation.
            await _writer.DisposeAsync();
            _writer = null;
        }

        Signal();
        return _record is null
            ? new SegmentInfo { SegmentId = _address.SegmentId, State = SegmentState.Truncated, EntryCount = footer.EntryCount, SizeBytes = footer.DataLength }
            : Describe();
    }

    private async Task ScheduleCompactionAsync(string logName, CancellationToken cancellationToken)
    {
        try
        {
            // The collector compacts completed segments; if scheduling fails now, the next truncation or completion
            // of this log schedules a pass that covers this segment too.
            await _metadata.ScheduleCollectionAsync(_address.LogId, logName, TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        }
        catch (WoodpeckerException ex)
        {
            GrainLog.BackgroundCompletionFailed(_logger, Key, ex);
        }
    }

    private SegmentInfo Describe()
    {
        var record = _record!.Record;
        return new SegmentInfo
        {
            SegmentId = record.SegmentId,
            State = record.State,
            EntryCount = record.State == SegmentState.Active ? _durableEnd : record.EntryCount,
            SizeBytes = record.State == SegmentState.Active ? _writer?.BytesWritten ?? 0 : record.SizeBytes,
            WriterEpoch = record.WriterEpoch,
            CreatedUnixMs = record.CreatedUnixMs,
            CompletedUnixMs = record.CompletedUnixMs,
        };
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private BlockBuilder RentBuilder() =>
        _spareBuilders.TryPop(out var builder) ? builder : new BlockBuilder(Math.Min(_policy.MaxBlockBytes, InitialBlockCapacity));

    private void ReturnBuilder(BlockBuilder builder)
    {
        builder.Reset();
        if (_spareBuilders.Count < 2)
        {
            _spareBuilders.Push(builder);
        }
        else
        {
            builder.Dispose();
        }
    }

    private WriterFencedException Fenced() =>
        new($"A newer writer opened log {_address.LogId} (segment {_address.SegmentId} was fenced); this writer can no longer append. " +
            "Open a new writer if this process should write again.");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
