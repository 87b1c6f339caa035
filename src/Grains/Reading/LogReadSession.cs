using System.Runtime.CompilerServices;
using Woodpecker.Errors;
using Woodpecker.Grains.Logs;
using Woodpecker.Grains.Messages;
using Woodpecker.Grains.Segments;
using Woodpecker.Grains.Service;
using Woodpecker.Naming;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Grains.Reading;

/// <summary>
/// One reader of one log, on the silo side. Completed segments are read straight from storage (large sequential
/// reads, no grain on the path); the active segment is read through its grain, which answers from its in-memory
/// tail or says how far storage is durable, and holds the request open until new entries are durable (push-style
/// long polls, no sleep loop). Moves from segment to segment in order and records its segment for garbage collection.
/// </summary>
public sealed class LogReadSession : IAsyncDisposable
{
    private readonly GrainFactory _grains;
    private readonly ISegmentStorage _storage;
    private readonly IReaderRegistry? _registry;
    private readonly LogReaderOptions _options;
    private readonly ILogGrain _log;
    private readonly string _readerId = Guid.NewGuid().ToString("N");
    private readonly SortedDictionary<long, SegmentInfo> _segments = [];
    private readonly List<StoredEntry> _stored = [];
    private ISegmentReader? _segmentReader;
    private long _segmentReaderId = -1;
    private long _segmentId;
    private long _entryId;
    private long _registeredSegment = -1;
    private int _disposed;

    private LogReadSession(GrainFactory grains, ISegmentStorage storage, IReaderRegistry? registry, string logName, LogReaderOptions options, LogView view)
    {
        _grains = grains;
        _storage = storage;
        _registry = registry;
        _options = options;
        _log = grains.GetGrain<ILogGrain>(logName);
        LogName = logName;
        LogId = view.LogId;
        Merge(view);
    }

    /// <summary>The log read.</summary>
    public string LogName { get; }

    /// <summary>The log's id.</summary>
    public long LogId { get; }

    /// <summary>The position of the next entry this session returns.</summary>
    public LogPosition NextPosition => new(_segmentId, _entryId);

    /// <summary>Opens a reader at <paramref name="start"/>.</summary>
    /// <exception cref="PositionTruncatedException">The start lies at or below the truncation point.</exception>
    /// <exception cref="PositionNotFoundException">The start lies past the end of the log.</exception>
    public static async Task<LogReadSession> OpenAsync(
        GrainFactory grains, ISegmentStorage storage, IReaderRegistry? registry, string logName, ReadStart start, LogReaderOptions options, CancellationToken cancellationToken)
    {
        LogNames.Validate(logName);
        LogReadSession? session = null;
        try
        {
            var view = await grains.GetGrain<ILogGrain>(logName).GetSegmentsAsync(new SegmentsRequest { AfterSegmentId = -1 }, cancellationToken).ConfigureAwait(false);
            session = new LogReadSession(grains, storage, registry, logName, options, view);
            await session.PositionAsync(start, view.TruncatedTo, cancellationToken).ConfigureAwait(false);
            await session.RegisterAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            throw ErrorTranslation.ToWoodpecker(ex);
        }
    }

    /// <summary>
    /// Batches of entries in log order. Without <see cref="LogReaderOptions.Follow"/> the sequence ends at the end
    /// of the log as it is when the reader catches up; with it, the sequence waits for new entries until cancelled.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogMessage>> ReadBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<LogMessage>? batch;
            try
            {
                batch = await NextBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw ErrorTranslation.ToWoodpecker(ex);
            }

            if (batch is null)
            {
                yield break;
            }

            if (batch.Count > 0)
            {
                yield return batch;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_segmentReader is not null)
        {
            await _segmentReader.DisposeAsync().ConfigureAwait(false);
        }

        if (_registry is not null && _registeredSegment >= 0)
        {
            try
            {
                await _registry.UnregisterAsync(LogId, _readerId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WoodpeckerException)
            {
                // The registration expires with its lease.
            }
        }
    }

    /// <summary>The next batch; empty when a wait ended without news; null at the end of a non-following read.</summary>
    private async Task<IReadOnlyList<LogMessage>?> NextBatchAsync(CancellationToken cancellationToken)
    {
        if (!_segments.TryGetValue(_segmentId, out var segment))
        {
            var later = _segments.Keys.Where(id => id > _segmentId).Order().FirstOrDefault(-1);
            if (later >= 0)
            {
                await MoveToAsync(later, 0, cancellationToken).ConfigureAwait(false);
                return [];
            }

            // Past the last known segment: wait for the writer to create the next one.
            var view = await _log.GetSegmentsAsync(
                new SegmentsRequest { AfterSegmentId = _segments.Count == 0 ? -1 : _segments.Keys.Max(), WaitMs = _options.Follow ? WaitMs : 0 },
                cancellationToken).ConfigureAwait(false);
            var known = _segments.Count;
            Merge(view);
            return _segments.ContainsKey(_segmentId) || _segments.Count > known || _options.Follow ? [] : null;
        }

        if (segment.State != SegmentState.Active)
        {
            if (_entryId >= segment.EntryCount)
            {
                await MoveToAsync(_segmentId + 1, 0, cancellationToken).ConfigureAwait(false);
                return [];
            }

            return await ReadStorageAsync(segment.EntryCount, cancellationToken).ConfigureAwait(false);
        }

        var response = await Segment(_segmentId).ReadAsync(
            new SegmentReadRequest
            {
                FromEntryId = _entryId,
                MaxEntries = _options.MaxBatchEntries,
                MaxBytes = _options.MaxBatchBytes,
                WaitMs = WaitMs,
                // A reader that does not follow stops at the end of the log, but not at the end of a segment that is
                // closing after a roll: its last entries, and the next segment's, are acknowledged or about to be.
                WaitOnlyWhileClosing = !_options.Follow,
            },
            cancellationToken).ConfigureAwait(false);
        if (response.Missing)
        {
            throw new PositionTruncatedException($"Segment {_segmentId} of log '{LogName}' was deleted while it was being read.");
        }

        if (response.Entries.Count > 0)
        {
            var batch = new List<LogMessage>(response.Entries.Count);
            foreach (var entry in response.Entries)
            {
                batch.Add(new LogMessage(
                    new LogPosition(_segmentId, entry.EntryId),
                    entry.Entry.Payload.Memory,
                    entry.Entry.Properties.Count == 0 ? null : entry.Entry.Properties));
            }

            _entryId = response.Entries[^1].EntryId + 1;
            return batch;
        }

        if (response.ReadFromStorage)
        {
            return await ReadStorageAsync(response.DurableEnd, cancellationToken).ConfigureAwait(false);
        }

        if (response.Completed)
        {
            _segments[_segmentId] = new SegmentInfo(segment) { State = SegmentState.Completed, EntryCount = response.DurableEnd };
            return [];
        }

        return _options.Follow || response.Closing ? [] : null;
    }

    private async Task<IReadOnlyList<LogMessage>> ReadStorageAsync(long endEntryId, CancellationToken cancellationToken)
    {
        if (_segmentReaderId != _segmentId || _segmentReader is null)
        {
            if (_segmentReader is not null)
            {
                // Forgotten before the next one opens: if opening fails, disposing the session must not dispose it again.
                var previous = _segmentReader;
                _segmentReader = null;
                await previous.DisposeAsync().ConfigureAwait(false);
            }

            _segmentReader = await _storage.OpenReaderAsync(new SegmentAddress(LogId, _segmentId), cancellationToken).ConfigureAwait(false);
            _segmentReaderId = _segmentId;
        }

        _stored.Clear();
        await _segmentReader.ReadAsync(_entryId, endEntryId, _options.MaxBatchBytes, _stored, cancellationToken).ConfigureAwait(false);
        if (_stored.Count == 0)
        {
            throw new StorageCorruptedException(
                $"Segment {_segmentId} of log '{LogName}' should hold entries {_entryId}..{endEntryId - 1}, but storage returned none.");
        }

        var batch = new List<LogMessage>(Math.Min(_stored.Count, _options.MaxBatchEntries));
        foreach (var entry in _stored)
        {
            batch.Add(new LogMessage(new LogPosition(_segmentId, entry.EntryId), entry.Payload, entry.Properties));
        }

        _entryId = _stored[^1].EntryId + 1;
        return batch;
    }

    private async Task PositionAsync(ReadStart start, Position? truncatedTo, CancellationToken cancellationToken)
    {
        switch (start.Kind)
        {
            case ReadStartKind.Earliest:
                if (truncatedTo is not null)
                {
                    (_segmentId, _entryId) = (truncatedTo.SegmentId, truncatedTo.EntryId + 1);
                }
                else
                {
                    (_segmentId, _entryId) = (_segments.Count == 0 ? 0 : _segments.Keys.Min(), 0);
                }

                break;

            case ReadStartKind.Latest:
                var last = await _log.GetLastPositionAsync(new GetLastPositionRequest(), cancellationToken).ConfigureAwait(false);
                (_segmentId, _entryId) = last.Position is { } p
                    ? (p.SegmentId, p.EntryId + 1)
                    : (_segments.Count == 0 ? 0 : _segments.Keys.Max(), 0);
                break;

            default:
                await ValidateStartAsync(start.Position, truncatedTo, cancellationToken).ConfigureAwait(false);
                (_segmentId, _entryId) = (start.Position.SegmentId, start.Position.EntryId);
                break;
        }
    }

    private async Task ValidateStartAsync(LogPosition position, Position? truncatedTo, CancellationToken cancellationToken)
    {
        if (position.SegmentId < 0 || position.EntryId < 0)
        {
            throw new PositionNotFoundException($"{position} is not a position: segment and entry ids are never negative.");
        }

        if (truncatedTo is not null && position <= new LogPosition(truncatedTo.SegmentId, truncatedTo.EntryId))
        {
            throw new PositionTruncatedException(
                $"Log '{LogName}' is truncated up to {truncatedTo.SegmentId}:{truncatedTo.EntryId}; position {position} is gone. Read from Earliest to start at the first entry still kept.");
        }

        if (!_segments.TryGetValue(position.SegmentId, out var segment))
        {
            if (_segments.Count > 0 && position.SegmentId < _segments.Keys.Min())
            {
                throw new PositionTruncatedException($"Segment {position.SegmentId} of log '{LogName}' was deleted by truncation. Read from Earliest instead.");
            }

            throw new PositionNotFoundException($"Log '{LogName}' has no segment {position.SegmentId}; position {position} lies past its end.");
        }

        var count = segment.State == SegmentState.Active
            ? (await Segment(position.SegmentId).GetStateAsync(new SegmentStateRequest(), cancellationToken).ConfigureAwait(false)).EntryCount
            : segment.EntryCount;
        if (position.EntryId > count)
        {
            throw new PositionNotFoundException(
                $"Position {position} lies past the end of segment {position.SegmentId} of log '{LogName}', which holds {count} durable entries.");
        }
    }

    private async Task MoveToAsync(long segmentId, long entryId, CancellationToken cancellationToken)
    {
        _segmentId = segmentId;
        _entryId = entryId;
        await RegisterAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        if (_registry is not null && _registeredSegment != _segmentId)
        {
            await _registry.RegisterAsync(LogId, _readerId, _segmentId, cancellationToken).ConfigureAwait(false);
            _registeredSegment = _segmentId;
        }
    }

    private void Merge(LogView view)
    {
        foreach (var segment in view.Segments)
        {
            // Never move a segment back to Active: this session may have learned of its completion first.
            if (!_segments.TryGetValue(segment.SegmentId, out var known) || known.State == SegmentState.Active)
            {
                _segments[segment.SegmentId] = segment;
            }
        }
    }

    private int WaitMs => (int)_options.TailWait.TotalMilliseconds;

    private ISegmentGrain Segment(long segmentId) => _grains.GetGrain<ISegmentGrain>(SegmentGrainInterface.Key(LogId, segmentId));
}
