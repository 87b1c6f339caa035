using System.Diagnostics;
using System.Threading.Channels;
using Google.Protobuf;
using Woodpecker.Errors;
using Woodpecker.Flow;
using Woodpecker.Grains.Diagnostics;
using Woodpecker.Grains.Logs;
using Woodpecker.Grains.Messages;
using Woodpecker.Grains.Segments;
using Woodpecker.Grains.Service;
using Woodpecker.Naming;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime;

namespace Woodpecker.Grains.Writing;

/// <summary>
/// One writer of one log, on the silo side. Appends are queued in call order, sent to the active segment in batches
/// with several batches in flight, and acknowledged strictly in order. When the segment asks to roll, or refuses a
/// batch because it closed, the session waits until nothing is in flight on the old segment, creates the next
/// segment through the log grain (which checks the writer epoch), and re-sends the refused batches first, so order
/// holds across segments. The first failure fails that append and every later one, and the session stays failed.
/// </summary>
public sealed class LogWriterSession : IAsyncDisposable
{
    private readonly GrainFactory _grains;
    private readonly ILogGrain _log;
    private readonly LogWriterOptions _options;
    private readonly EntryLimits _limits;
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PendingBudget _budget;
    private readonly Lock _gate = new();
    private readonly Queue<InFlightBatch> _inFlight = new();
    private readonly List<PendingAppend> _refused = [];
    private readonly Task _sendLoop;
    private TaskCompletionSource _inFlightChanged = NewSignal();
    private long _segmentId = -1;
    private long _preparedAfter = -1;
    private Task<SegmentGrant>? _preparing;
    private bool _rollNeeded = true;
    private bool _closed;
    private WoodpeckerException? _fault;
    private PendingAppend? _lastQueued;

    private LogWriterSession(GrainFactory grains, string logName, WriterGrant grant, LogWriterOptions options, EntryLimits limits)
    {
        _grains = grains;
        _log = grains.GetGrain<ILogGrain>(logName);
        LogName = logName;
        LogId = grant.LogId;
        WriterEpoch = grant.WriterEpoch;
        _options = options;
        _limits = limits;
        _budget = new PendingBudget(options.MaxPendingBytes, options.MaxPendingAppends);
        _sendLoop = Task.Run(SendLoopAsync);
    }

    /// <summary>The log written to.</summary>
    public string LogName { get; }

    /// <summary>The log's id.</summary>
    public long LogId { get; }

    /// <summary>This writer's epoch; a writer with a higher epoch fences this one.</summary>
    public long WriterEpoch { get; }

    /// <summary>Opens a writer on <paramref name="logName"/>, fencing any earlier writer.</summary>
    public static async Task<LogWriterSession> OpenAsync(
        GrainFactory grains, string logName, LogWriterOptions options, EntryLimits limits, CancellationToken cancellationToken)
    {
        LogNames.Validate(logName);
        options.Validate();
        WriterGrant grant;
        try
        {
            grant = await grains.GetGrain<ILogGrain>(logName).OpenWriterAsync(new OpenWriterRequest { ExpectedWriterEpoch = options.ExpectedWriterEpoch ?? 0 }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ErrorTranslation.ToWoodpecker(ex);
        }

        return new LogWriterSession(grains, logName, grant, options, limits);
    }

    /// <summary>
    /// Queues an entry; the task completes with its position once it is durable. The entry must not be changed
    /// afterwards. <paramref name="cancellationToken"/> cancels only the wait for room in the pending budget; once
    /// queued, the append proceeds and its task reports the outcome.
    /// </summary>
    public Task<LogPosition> AppendAsync(Entry entry, CancellationToken cancellationToken = default) =>
        EnqueueAsync(entry, pooledPayload: null, cancellationToken);

    /// <summary>
    /// Copies <paramref name="payload"/> into a pooled buffer (before returning) and queues it as an entry. The buffer
    /// goes back to the pool once the segment has encoded the entry into a block, so a busy writer does not churn
    /// the garbage collector with payload copies.
    /// </summary>
    public Task<LogPosition> AppendAsync(ReadOnlySpan<byte> payload, IReadOnlyDictionary<string, string>? properties, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        _limits.Validate(payload.Length, properties);
        var buffer = PayloadBufferPool.Shared.Rent(payload.Length);
        payload.CopyTo(buffer);
        var entry = new Entry { Payload = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, payload.Length)) };
        if (properties is not null)
        {
            foreach (var (key, value) in properties)
            {
                entry.Properties[key] = value;
            }
        }

        return EnqueueAsync(entry, buffer, cancellationToken);
    }

    private async Task<LogPosition> EnqueueAsync(Entry entry, byte[]? pooledPayload, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        var bytes = _limits.Validate(entry.Payload.Length, entry.Properties) + (long)entry.Payload.Length;
        await _budget.AcquireAsync(bytes, cancellationToken).ConfigureAwait(false);
        var pending = new PendingAppend(entry, bytes, pooledPayload);
        lock (_gate)
        {
            if (_closed || _fault is not null)
            {
                _budget.Release(bytes);
                ThrowIfUnusable();
            }

            _lastQueued = pending;
            _queue.Writer.TryWrite(pending);
        }

        return await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Waits until every append queued so far is acknowledged; throws if the writer failed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        PendingAppend? last;
        lock (_gate)
        {
            last = _lastQueued;
        }

        if (last is not null)
        {
            await last.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ThrowIfFaulted();
    }

    /// <summary>Sends what is queued, waits for every acknowledgement, and completes the current segment.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _queue.Writer.TryComplete();
        }

        await _sendLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        await WaitUntilNothingInFlightAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_fault is null && _segmentId >= 0)
        {
            try
            {
                // Completing now lets readers see where the segment ends instead of waiting for it to idle out.
                await Segment(_segmentId).CompleteAsync(new CompleteSegmentRequest { WriterEpoch = WriterEpoch }, cancellationToken).ConfigureAwait(false);
            }
            catch (WriterFencedException)
            {
                // A newer writer completed it already.
            }

            await CompleteUnusedPreparedSegmentAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A segment prepared for a roll that never came holds nothing: complete it, so no segment stays open after the writer.</summary>
    private async Task CompleteUnusedPreparedSegmentAsync(CancellationToken cancellationToken)
    {
        Task<SegmentGrant>? preparing;
        lock (_gate)
        {
            preparing = _preparing;
            _preparing = null;
        }

        if (preparing is null)
        {
            return;
        }

        try
        {
            var prepared = await preparing.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (prepared.SegmentId > _segmentId)
            {
                await Segment(prepared.SegmentId).CompleteAsync(new CompleteSegmentRequest { WriterEpoch = WriterEpoch }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not created, or a newer writer completed it already; otherwise its idle timer or the next writer will.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        catch (WoodpeckerException)
        {
            // The appends that failed have reported it; disposing must not throw.
        }
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<PendingAppend>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_fault is not null)
            {
                DrainQueue(_fault);
                continue;
            }

            if (_rollNeeded)
            {
                await RollAsync().ConfigureAwait(false);
                continue;
            }

            long bytes = 0;
            while (batch.Count < _options.MaxBatchEntries && bytes < _options.MaxBatchBytes && _queue.Reader.TryRead(out var next))
            {
                if (!next.IsWakeUp)
                {
                    batch.Add(next);
                    bytes += next.Bytes;
                }
            }

            if (batch.Count > 0)
            {
                Send([.. batch]);
                batch.Clear();
                await WaitForInFlightSlotAsync().ConfigureAwait(false);
            }
        }

        // Closing: batches refused by a segment that closed meanwhile still have to go out.
        await WaitUntilNothingInFlightAsync().ConfigureAwait(false);
        while (_fault is null && HasRefusedAppends())
        {
            await RollAsync().ConfigureAwait(false);
            await WaitUntilNothingInFlightAsync().ConfigureAwait(false);
        }
    }

    private bool HasRefusedAppends()
    {
        lock (_gate)
        {
            return _refused.Count > 0;
        }
    }

    private void Send(PendingAppend[] appends)
    {
        var request = new AppendBatch { WriterEpoch = WriterEpoch };
        var pooled = false;
        foreach (var append in appends)
        {
            request.Entries.Add(append.Entry);
            pooled |= append.PooledPayload is not null;
        }

        if (pooled)
        {
            // Only an explicit "encoded" from the grain returns the buffers: a batch that timed out or was refused
            // may still be read (or re-sent), and a buffer never returned is merely collected by the GC.
            request.Consumed = () =>
            {
                foreach (var append in appends)
                {
                    append.ReturnPayload();
                }
            };
        }

        var batch = new InFlightBatch(appends, _segmentId, Segment(_segmentId).AppendAsync(request, CancellationToken.None));
        lock (_gate)
        {
            _inFlight.Enqueue(batch);
        }

        batch.Call.ContinueWith(static (_, state) => ((LogWriterSession)state!).OnBatchFinished(), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Resolves finished batches from the oldest; stops at the first still in flight, so results stay in order.</summary>
    private void OnBatchFinished()
    {
        var prepareAfter = -1L;
        lock (_gate)
        {
            while (_inFlight.TryPeek(out var head) && head.Call.IsCompleted)
            {
                _inFlight.Dequeue();
                if (_fault is not null)
                {
                    FailAll(head.Appends, _fault);
                }
                else if (!head.Call.IsCompletedSuccessfully)
                {
                    Fault(ErrorTranslation.ToWoodpecker(head.Call.Exception!.GetBaseException()));
                    FailAll(head.Appends, _fault!);
                }
                else if (head.Call.Result.Status == AppendStatus.SegmentClosed)
                {
                    // Wake the sender even if nothing new is queued: the refused appends must be re-sent.
                    _refused.AddRange(head.Appends);
                    _rollNeeded = true;
                    _queue.Writer.TryWrite(PendingAppend.WakeUp);
                }
                else
                {
                    var result = head.Call.Result;
                    var durable = result.Status == AppendStatus.Failed ? result.DurableCount : head.Appends.Length;
                    for (var i = 0; i < durable; i++)
                    {
                        _budget.Release(head.Appends[i].Bytes);
                        head.Appends[i].Done.TrySetResult(new LogPosition(head.SegmentId, result.FirstEntryId + i));
                    }

                    if (result.Status == AppendStatus.Failed)
                    {
                        Fault(WoodpeckerException.FromCode((WoodpeckerErrorCode)result.ErrorCode, result.ErrorMessage));
                        FailAll(head.Appends.Skip(durable), _fault!);
                    }

                    _rollNeeded |= result.RollRequested;
                    if (result.RollSoon && !_rollNeeded && head.SegmentId == _segmentId && _preparedAfter < head.SegmentId)
                    {
                        _preparedAfter = prepareAfter = head.SegmentId;
                    }
                }
            }

            var signal = _inFlightChanged;
            _inFlightChanged = NewSignal();
            signal.TrySetResult();
        }

        if (prepareAfter >= 0)
        {
            PrepareNextSegment(prepareAfter);
        }
    }

    /// <summary>
    /// Has the log grain create the next segment now, while appends still go to <paramref name="segmentId"/>, so the
    /// coming roll finds it ready and the append at the boundary waits for no metadata round trip. Nothing waits for
    /// this; if it fails, the roll creates the segment itself as before.
    /// </summary>
    private void PrepareNextSegment(long segmentId)
    {
        var preparing = _log.PrepareRollAsync(new RollRequest { WriterEpoch = WriterEpoch, FromSegmentId = segmentId }, CancellationToken.None);
        lock (_gate)
        {
            _preparing = preparing;
        }

        preparing.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RollAsync()
    {
        // Nothing of the old segment may still be pending when entries go to the new one: if an old append failed
        // after a newer one became durable elsewhere, the log would hold a gap the writer never saw.
        await WaitUntilNothingInFlightAsync().ConfigureAwait(false);
        if (_fault is not null)
        {
            return;
        }

        try
        {
            var rolling = Stopwatch.GetTimestamp();
            var grant = await _log.RollAsync(new RollRequest { WriterEpoch = WriterEpoch, FromSegmentId = _segmentId }, CancellationToken.None).ConfigureAwait(false);
            LogMetrics.RollDuration.Record(Stopwatch.GetElapsedTime(rolling).TotalMilliseconds);
            _segmentId = grant.SegmentId;
            _rollNeeded = false;
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                Fault(ErrorTranslation.ToWoodpecker(ex));
            }

            return;
        }

        PendingAppend[] resend;
        lock (_gate)
        {
            resend = [.. _refused];
            _refused.Clear();
        }

        for (var at = 0; at < resend.Length; at += _options.MaxBatchEntries)
        {
            Send(resend[at..Math.Min(resend.Length, at + _options.MaxBatchEntries)]);
            await WaitForInFlightSlotAsync().ConfigureAwait(false);
        }
    }

    private async Task WaitForInFlightSlotAsync()
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_inFlight.Count < _options.MaxInFlightBatches)
                {
                    return;
                }

                changed = _inFlightChanged.Task;
            }

            await changed.ConfigureAwait(false);
        }
    }

    private async Task WaitUntilNothingInFlightAsync()
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_inFlight.Count == 0)
                {
                    return;
                }

                changed = _inFlightChanged.Task;
            }

            await changed.ConfigureAwait(false);
        }
    }

    // Called under _gate.
    private void Fault(WoodpeckerException error)
    {
        if (_fault is not null)
        {
            return;
        }

        _fault = error;
        FailAll(_refused, error);
        _refused.Clear();
        foreach (var batch in _inFlight)
        {
            FailAll(batch.Appends, error);
        }

        DrainQueue(error);
    }

    private void DrainQueue(WoodpeckerException error)
    {
        while (_queue.Reader.TryRead(out var queued))
        {
            if (queued.IsWakeUp)
            {
                continue;
            }

            _budget.Release(queued.Bytes);
            queued.Done.TrySetException(error);
        }
    }

    private void FailAll(IEnumerable<PendingAppend> appends, WoodpeckerException error)
    {
        foreach (var append in appends)
        {
            if (append.Done.TrySetException(error))
            {
                _budget.Release(append.Bytes);
            }
        }
    }

    private void ThrowIfUnusable()
    {
        if (_closed)
        {
            throw new HandleClosedException($"The writer of log '{LogName}' is closed; open a new writer to append.");
        }

        ThrowIfFaulted();
    }

    private void ThrowIfFaulted()
    {
        if (_fault is { } fault)
        {
            throw WoodpeckerException.FromCode(fault.ErrorCode, $"The writer of log '{LogName}' failed earlier and cannot append: {fault.Message}", fault);
        }
    }

    private ISegmentGrain Segment(long segmentId) => _grains.GetGrain<ISegmentGrain>(SegmentGrainInterface.Key(LogId, segmentId));

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class PendingAppend(Entry entry, long bytes, byte[]? pooledPayload)
    {
        /// <summary>Queued only to wake the sender; carries no entry.</summary>
        public static readonly PendingAppend WakeUp = new(new Entry(), -1, null);

        private byte[]? _pooledPayload = pooledPayload;

        public bool IsWakeUp => Bytes < 0;

        public Entry Entry { get; } = entry;

        public long Bytes { get; } = bytes;

        public byte[]? PooledPayload => _pooledPayload;

        public void ReturnPayload()
        {
            if (Interlocked.Exchange(ref _pooledPayload, null) is { } buffer)
            {
                PayloadBufferPool.Shared.Return(buffer);
            }
        }

        public TaskCompletionSource<LogPosition> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record InFlightBatch(PendingAppend[] Appends, long SegmentId, Task<AppendResult> Call);
}
