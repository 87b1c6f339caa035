using Google.Protobuf;
using Woodpecker.Errors;
using Woodpecker.Grains.Metadata.Records;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Runtime;

namespace Woodpecker.Grains.Metadata;

/// <summary>
/// Typed access to the log service's records in the metadata store. Every state change is a compare-and-swap on the
/// record's mod revision, and every change a writer makes also compares the writer key's mod revision with the
/// writer's epoch, so a superseded writer can never change anything.
/// </summary>
internal sealed class LogMetadata
{
    private readonly IMetadataStore _store;
    private readonly ActivationFence? _fence;

    public LogMetadata(IMetadataStore store, MetadataKeys keys)
        : this(store, keys, fence: null)
    {
    }

    private LogMetadata(IMetadataStore store, MetadataKeys keys, ActivationFence? fence)
    {
        _store = store;
        Keys = keys;
        _fence = fence;
    }

    public MetadataKeys Keys { get; }

    /// <summary>
    /// A view whose every transaction also requires <paramref name="fence"/>'s directory entry to still carry its epoch
    /// (in a cluster; <paramref name="fence"/> is null in embedded mode). When a newer activation of the grain exists
    /// — this silo was paused past its lease — the write is refused with <see cref="ServiceUnavailableException"/>
    /// instead of being applied, whatever else it compares.
    /// </summary>
    public LogMetadata FencedBy(ActivationFence? fence) => fence is null ? this : new LogMetadata(_store, Keys, fence);

    public async Task<Versioned<LogRecord>?> GetLogAsync(string name, CancellationToken cancellationToken)
    {
        var kv = await _store.GetAsync(Keys.Name(name), cancellationToken).ConfigureAwait(false);
        return kv is null ? null : new Versioned<LogRecord>(ParseLog(kv), kv.ModRevision);
    }

    /// <summary>
    /// Creates the log; throws LogAlreadyExistsException when the name is taken. The log's id is the create
    /// revision of its name key: unique, never reused (a re-created log gets a new one), and allocated by the same
    /// single transaction that creates the log, so concurrent creations never contend on a counter.
    /// </summary>
    public async Task<Versioned<LogRecord>> CreateLogAsync(string name, long createdUnixMs, CancellationToken cancellationToken)
    {
        var record = new LogRecord { Name = name, CreatedUnixMs = createdUnixMs };
        var txn = new Txn()
            .If(Compare.Missing(Keys.Name(name)))
            .Then(TxnOp.Put(Keys.Name(name), record.ToByteArray()));
        var result = await CommitAsync(txn, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new LogAlreadyExistsException($"The log '{name}' exists already.");
        }

        record.LogId = result.Revision;
        return new Versioned<LogRecord>(record, result.Revision);
    }

    /// <summary>Replaces the log record if it is unchanged since <paramref name="expectedModRevision"/>; returns the new revision or null.</summary>
    public async Task<long?> UpdateLogAsync(LogRecord record, long expectedModRevision, CancellationToken cancellationToken)
    {
        var key = Keys.Name(record.Name);
        var result = await CommitAsync(
            new Txn().If(Compare.ModRevisionIs(key, expectedModRevision)).Then(TxnOp.Put(key, record.ToByteArray())),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Revision : null;
    }

    /// <summary>Deletes the log's records and queues deletion of its storage; false when the record changed meanwhile.</summary>
    public async Task<bool> DeleteLogAsync(LogRecord record, long expectedModRevision, long nowUnixMs, CancellationToken cancellationToken)
    {
        var key = Keys.Name(record.Name);
        var collection = new CollectionRecord { LogName = record.Name, DueUnixMs = nowUnixMs, LogDeleted = true };
        var result = await CommitAsync(
            new Txn()
                .If(Compare.ModRevisionIs(key, expectedModRevision))
                .Then(
                    TxnOp.Delete(key),
                    TxnOp.DeletePrefix(Keys.LogPrefix(record.LogId)),
                    TxnOp.Put(Keys.Collection(record.LogId), collection.ToByteArray())),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    public async Task<(IReadOnlyList<LogRecord> Logs, bool More)> ListLogsAsync(string namePrefix, string? startAfter, int limit, CancellationToken cancellationToken)
    {
        var page = await _store.RangeAsync(
            Keys.Name(namePrefix), startAfter is null ? null : Keys.Name(startAfter), limit, cancellationToken).ConfigureAwait(false);
        return (page.Items.Select(ParseLog).ToList(), page.More);
    }

    /// <summary>The writer key's mod revision: the current writer epoch (0 when no writer ever opened).</summary>
    public async Task<long> GetWriterEpochAsync(long logId, CancellationToken cancellationToken)
    {
        var kv = await _store.GetAsync(Keys.Writer(logId), cancellationToken).ConfigureAwait(false);
        return kv?.ModRevision ?? 0;
    }

    /// <summary>Takes the writer role if the epoch is still <paramref name="expectedEpoch"/>; returns the new epoch, or null.</summary>
    public async Task<long?> BumpWriterEpochAsync(long logId, long expectedEpoch, WriterRecord record, CancellationToken cancellationToken)
    {
        var key = Keys.Writer(logId);
        var result = await CommitAsync(
            new Txn().If(Compare.ModRevisionIs(key, expectedEpoch)).Then(TxnOp.Put(key, record.ToByteArray())),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Revision : null;
    }

    public async Task<List<Versioned<SegmentRecord>>> ListSegmentsAsync(long logId, CancellationToken cancellationToken)
    {
        var segments = new List<Versioned<SegmentRecord>>();
        string? after = null;
        while (true)
        {
            var page = await _store.RangeAsync(Keys.SegmentsPrefix(logId), after, 1000, cancellationToken).ConfigureAwait(false);
            segments.AddRange(page.Items.Select(kv => new Versioned<SegmentRecord>(Parse(SegmentRecord.Parser, kv), kv.ModRevision)));
            if (!page.More || page.Items.Count == 0)
            {
                return segments;
            }

            after = page.Items[^1].Key;
        }
    }

    public async Task<Versioned<SegmentRecord>?> GetSegmentAsync(long logId, long segmentId, CancellationToken cancellationToken)
    {
        var kv = await _store.GetAsync(Keys.Segment(logId, segmentId), cancellationToken).ConfigureAwait(false);
        return kv is null ? null : new Versioned<SegmentRecord>(Parse(SegmentRecord.Parser, kv), kv.ModRevision);
    }

    /// <summary>
    /// Creates a segment record on behalf of the writer holding <paramref name="writerEpoch"/>. Returns the record's
    /// revision, or null when the writer was fenced (or the segment exists).
    /// </summary>
    public async Task<long?> CreateSegmentAsync(long logId, long writerEpoch, SegmentRecord record, CancellationToken cancellationToken)
    {
        var key = Keys.Segment(logId, record.SegmentId);
        var result = await CommitAsync(
            new Txn()
                .If(Compare.ModRevisionIs(Keys.Writer(logId), writerEpoch), Compare.Missing(key))
                .Then(TxnOp.Put(key, record.ToByteArray())),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Revision : null;
    }

    /// <summary>Replaces a segment record if unchanged since <paramref name="expectedModRevision"/>; returns the new revision or null.</summary>
    public async Task<long?> UpdateSegmentAsync(long logId, SegmentRecord record, long expectedModRevision, CancellationToken cancellationToken)
    {
        var key = Keys.Segment(logId, record.SegmentId);
        var result = await CommitAsync(
            new Txn().If(Compare.ModRevisionIs(key, expectedModRevision)).Then(TxnOp.Put(key, record.ToByteArray())),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Revision : null;
    }

    public async Task<bool> DeleteSegmentAsync(long logId, long segmentId, long expectedModRevision, CancellationToken cancellationToken)
    {
        var key = Keys.Segment(logId, segmentId);
        var result = await CommitAsync(
            new Txn().If(Compare.ModRevisionIs(key, expectedModRevision)).Then(TxnOp.Delete(key)),
            cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    private async Task<TxnResult> CommitAsync(Txn txn, CancellationToken cancellationToken)
    {
        if (_fence is not { } fence)
        {
            return await _store.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        }

        txn.If(new Compare(fence.Key, CompareTarget.CreateRevision, CompareOperator.Equal, fence.Epoch)).Else(TxnOp.Get(fence.Key));
        var result = await _store.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && result.Responses.Count > 0 && result.Responses[^1].Found?.CreateRevision != fence.Epoch)
        {
            throw new ServiceUnavailableException(
                "This grain activation was superseded by a newer one on another silo (this silo lost its cluster lease); " +
                "nothing was written. Retry: the call will reach the current owner.");
        }

        return result;
    }

    public Task PutReaderAsync(long logId, string readerId, ReaderRecord record, long leaseId, CancellationToken cancellationToken) =>
        _store.PutAsync(Keys.Reader(logId, readerId), record.ToByteArray(), leaseId, cancellationToken);

    public Task DeleteReaderAsync(long logId, string readerId, CancellationToken cancellationToken) =>
        _store.DeleteAsync(Keys.Reader(logId, readerId), cancellationToken);

    public async Task<List<ReaderRecord>> ListReadersAsync(long logId, CancellationToken cancellationToken)
    {
        var page = await _store.RangeAsync(Keys.ReadersPrefix(logId), null, 0, cancellationToken).ConfigureAwait(false);
        return page.Items.Select(kv => Parse(ReaderRecord.Parser, kv)).ToList();
    }

    public async Task<Versioned<CollectionRecord>?> GetCollectionAsync(long logId, CancellationToken cancellationToken)
    {
        var kv = await _store.GetAsync(Keys.Collection(logId), cancellationToken).ConfigureAwait(false);
        return kv is null ? null : new Versioned<CollectionRecord>(Parse(CollectionRecord.Parser, kv), kv.ModRevision);
    }

    /// <summary>Asks the collector to visit the log no later than <paramref name="dueUnixMs"/> (an earlier request stands).</summary>
    public async Task ScheduleCollectionAsync(long logId, string logName, long dueUnixMs, CancellationToken cancellationToken)
    {
        var key = Keys.Collection(logId);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var current = await GetCollectionAsync(logId, cancellationToken).ConfigureAwait(false);
            if (current is not null && (current.Record.DueUnixMs <= dueUnixMs || current.Record.LogDeleted))
            {
                return;
            }

            var record = new CollectionRecord { LogName = logName, DueUnixMs = dueUnixMs };
            var result = await CommitAsync(
                new Txn().If(Compare.ModRevisionIs(key, current?.ModRevision ?? 0)).Then(TxnOp.Put(key, record.ToByteArray())),
                cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }
        }

        throw new ConflictException($"Could not schedule garbage collection of log '{logName}': its record keeps changing. Retry.");
    }

    /// <summary>
    /// Records the end of a collection pass that started when the record was <paramref name="seen"/>: removed when
    /// nothing is left, or due again at <paramref name="nextDueUnixMs"/>. A request made during the pass survives.
    /// </summary>
    public async Task FinishCollectionAsync(long logId, string logName, Versioned<CollectionRecord>? seen, long? nextDueUnixMs, CancellationToken cancellationToken)
    {
        var key = Keys.Collection(logId);
        if (seen is not null)
        {
            var op = nextDueUnixMs is { } due
                ? TxnOp.Put(key, new CollectionRecord { LogName = logName, DueUnixMs = due }.ToByteArray())
                : TxnOp.Delete(key);
            var result = await CommitAsync(new Txn().If(Compare.ModRevisionIs(key, seen.ModRevision)).Then(op), cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }
        }

        if (nextDueUnixMs is { } next)
        {
            await ScheduleCollectionAsync(logId, logName, next, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task DeleteCollectionAsync(long logId, CancellationToken cancellationToken) =>
        _store.DeleteAsync(Keys.Collection(logId), cancellationToken);

    public async Task<List<(long LogId, CollectionRecord Record)>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        var page = await _store.RangeAsync(Keys.CollectionPrefix, null, 0, cancellationToken).ConfigureAwait(false);
        return page.Items.Select(kv => (MetadataKeys.ParseTrailingId(kv.Key), Parse(CollectionRecord.Parser, kv))).ToList();
    }

    private static LogRecord ParseLog(KeyValue kv)
    {
        var record = Parse(LogRecord.Parser, kv);
        record.LogId = kv.CreateRevision;
        return record;
    }

    private static T Parse<T>(MessageParser<T> parser, KeyValue kv)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(kv.Value.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MetadataUnavailableException($"The metadata record at '{kv.Key}' is unreadable ({ex.Message}); the metadata store holds data this version does not understand.", ex);
        }
    }
}
