using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Errors;
using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// The embedded metadata store: etcd v3 semantics (one store-wide revision, per-key create/mod revision and version,
/// compare-and-swap transactions, leases, watches) on a SQLite file in the data directory.
/// </summary>
/// <remarks>
/// <para>Every database call runs on one dedicated thread (Microsoft.Data.Sqlite is synchronous); callers queue
/// through a bounded channel and await the result. Every call has <see cref="SqliteMetadataStoreOptions.CallTimeout"/>
/// and honours its cancellation token while queued.</para>
/// <para>The database uses WAL with <c>synchronous=FULL</c> (committed writes survive power loss) and an exclusive
/// lock: one process per file. Lease expiry times are wall-clock times stored in the file, so leases of a process
/// that died expire after the next open. Watch history lives in memory only: a watch from before this process opened
/// the store fails with <see cref="WatchCompactedException"/>, and the caller re-reads.</para>
/// </remarks>
public sealed class SqliteMetadataStore : IMetadataStore
{
    private const int MaxLeasesPerSweep = 1_000;
    private const string OpenOperation = "open";

    private readonly SqliteMetadataStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SqliteWorkQueue _queue;
    private readonly string _path;
    private MetadataDatabase? _database;
    private WatchHub? _hub;
    private ITimer? _sweepTimer;
    private int _sweepQueued;
    private int _disposed;

    static SqliteMetadataStore()
    {
        // Microsoft.Data.Sqlite initialises SQLitePCLRaw by reflection; doing it here as well makes a missing or
        // incompatible native bundle fail at first use with SQLitePCLRaw's own message. Init is idempotent.
        SQLitePCL.Batteries_V2.Init();
    }

    private SqliteMetadataStore(SqliteMetadataStoreOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _path = Path.GetFullPath(options.DatabasePath);
        _queue = new SqliteWorkQueue(options.QueueCapacity, "wp-metadata-sqlite", CloseOnDatabaseThread);
    }

    /// <summary>The database file.</summary>
    public string DatabasePath => _path;

    /// <summary>Opens (creating when missing) the store in <see cref="SqliteMetadataStoreOptions.DataDirectory"/>.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">Clock for lease expiry and timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <exception cref="MetadataUnavailableException">The file cannot be created or opened, or has an unknown schema.</exception>
    /// <exception cref="DataDirectoryInUseException">Another process (or another store in this one) has the file open.</exception>
    public static async Task<SqliteMetadataStore> OpenAsync(
        SqliteMetadataStoreOptions options,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var store = new SqliteMetadataStore(options, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance);
        try
        {
            await store.CallAsync(OpenOperation, store.OpenOnDatabaseThread, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        store._sweepTimer = store._timeProvider.CreateTimer(static s => ((SqliteMetadataStore)s!).QueueSweep(), store, options.LeaseSweepInterval, options.LeaseSweepInterval);
        return store;
    }

    /// <inheritdoc/>
    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var bytes = KeyCodec.EncodeKey(key, nameof(key));
        return CallAsync("get", () => Database.Get(bytes), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<RangeResult> RangeAsync(string prefix, string? startAfter = null, int limit = 0, CancellationToken cancellationToken = default)
    {
        var prefixBytes = KeyCodec.EncodePrefix(prefix, nameof(prefix));
        var afterBytes = startAfter is null ? null : KeyCodec.EncodePrefix(startAfter, nameof(startAfter));
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return CallAsync("range", () => Database.Range(prefixBytes, afterBytes, limit), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default)
    {
        TxnValidation.Validate(txn);
        // A snapshot: the caller may reuse its Txn once the call returns, even if the write is still queued.
        var snapshot = new Txn();
        snapshot.Compares.AddRange(txn.Compares);
        snapshot.Success.AddRange(txn.Success);
        snapshot.Failure.AddRange(txn.Failure);
        return CallAsync("txn", () => Write(snapshot), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId = 0, CancellationToken cancellationToken = default)
    {
        KeyCodec.EncodeKey(key, nameof(key));
        var txn = new Txn().Then(TxnOp.Put(key, value.ToArray(), leaseId));
        var result = await CallAsync("put", () => Write(txn), cancellationToken).ConfigureAwait(false);
        return result.Revision;
    }

    /// <inheritdoc/>
    public async Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyCodec.EncodeKey(key, nameof(key));
        var txn = new Txn().Then(TxnOp.Delete(key));
        var result = await CallAsync("delete", () => Write(txn), cancellationToken).ConfigureAwait(false);
        return result.Responses[0].Deleted;
    }

    /// <inheritdoc/>
    public async Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        KeyCodec.EncodePrefix(prefix, nameof(prefix));
        var txn = new Txn().Then(TxnOp.DeletePrefix(prefix));
        var result = await CallAsync("delete prefix", () => Write(txn), cancellationToken).ConfigureAwait(false);
        return result.Responses[0].Deleted;
    }

    /// <inheritdoc/>
    public Task<LeaseGrant> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        if (ttl <= TimeSpan.Zero || ttl > _options.MaxLeaseTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, $"A lease TTL must be positive and at most {_options.MaxLeaseTtl} ({nameof(SqliteMetadataStoreOptions)}.{nameof(SqliteMetadataStoreOptions.MaxLeaseTtl)}).");
        }

        return CallAsync("grant lease", () => Database.Grant(ttl, NowMs()), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) =>
        CallAsync("keep lease alive", () => Database.KeepAlive(leaseId, NowMs()), cancellationToken);

    /// <inheritdoc/>
    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) =>
        CallAsync(
            "revoke lease",
            () =>
            {
                var batch = Database.Revoke(leaseId);
                Publish(batch);
                long deleted = batch?.Events.Count ?? 0;
                _logger.LeaseRevoked(leaseId, deleted);
                return 0;
            },
            cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision = 0, CancellationToken cancellationToken = default)
    {
        KeyCodec.EncodePrefix(prefix, nameof(prefix));
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var hub = _hub!;
        // "From now" is fixed at the call, not at the first MoveNextAsync.
        var start = fromRevision == 0 ? hub.Revision + 1 : fromRevision;
        return WatchCore(hub, prefix, start, cancellationToken);
    }

    /// <summary>Closes the database after running the calls already queued; ends every watch.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _queue.Completion.ConfigureAwait(false);
            return;
        }

        if (_sweepTimer is not null)
        {
            await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        }

        _hub?.Close();
        _queue.Complete();
        await _queue.Completion.ConfigureAwait(false);
        if (_database is not null)
        {
            _logger.Closed(_path, _database.Revision);
        }
    }

    /// <summary>Forgets watch history up to and including <paramref name="revision"/> (what etcd's compaction does to watches).</summary>
    internal void CompactHistory(long revision) => _hub!.Compact(revision);

    /// <summary>Reads a pragma of the open connection (tests check journal mode, synchronous and locking mode).</summary>
    internal Task<object?> PragmaAsync(string name) => CallAsync("pragma", () => Database.Pragma(name), CancellationToken.None);

    /// <summary>Runs <paramref name="action"/> on the database thread with no timeout (tests use it to hold the thread).</summary>
    internal Task RunOnDatabaseThreadAsync(Action action)
    {
        var item = new DatabaseWorkItem<int>(
            () =>
            {
                action();
                return 0;
            },
            CancellationToken.None);
        return EnqueueAndWait(item);

        async Task EnqueueAndWait(DatabaseWorkItem<int> workItem)
        {
            await _queue.EnqueueAsync(workItem, CancellationToken.None).ConfigureAwait(false);
            await workItem.Task.ConfigureAwait(false);
        }
    }

    private MetadataDatabase Database => _database!;

    private static async IAsyncEnumerable<WatchEvent> WatchCore(WatchHub hub, string prefix, long start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var subscription = hub.Subscribe(prefix, start);
        try
        {
            while (true)
            {
                var events = await subscription.NextAsync(cancellationToken).ConfigureAwait(false);
                foreach (var e in events)
                {
                    yield return e;
                }
            }
        }
        finally
        {
            hub.Unsubscribe(subscription);
        }
    }

    private int OpenOnDatabaseThread()
    {
        _database = MetadataDatabase.Open(_options, _logger);
        var revision = _database.Revision;
        // History starts now; a store that never changed has no history to miss.
        var compactRevision = revision == MetadataDatabase.InitialRevision ? 0 : revision;
        _hub = new WatchHub(_options.WatchHistoryCapacity, _options.WatcherBufferCapacity, compactRevision, revision, _logger);
        var leases = _database.LeaseCount();
        _logger.Opened(_path, revision, leases);
        // Leases that expired while no process had the store open go now, not one interval later.
        SweepExpiredLeases();
        return 0;
    }

    private void CloseOnDatabaseThread()
    {
        try
        {
            _database?.Dispose();
        }
        catch (Exception ex) when (SqliteErrors.IsStorageFailure(ex))
        {
            // Every commit was already durable; a failed close loses nothing, and must not kill the thread.
            _logger.OperationFailed("close", ex);
        }
    }

    private TxnResult Write(Txn txn)
    {
        var (result, batch) = Database.Txn(txn, NowMs());
        Publish(batch);
        return result;
    }

    private void Publish(RevisionBatch? batch)
    {
        if (batch is not null)
        {
            _hub!.Publish(batch);
        }
    }

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private void QueueSweep()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _sweepQueued, 1) != 0)
        {
            return;
        }

        var item = new DatabaseWorkItem<int>(
            () =>
            {
                Volatile.Write(ref _sweepQueued, 0);
                try
                {
                    SweepExpiredLeases();
                }
                catch (Exception ex) when (SqliteErrors.IsStorageFailure(ex))
                {
                    _logger.SweepFailed(ex);
                }

                return 0;
            },
            CancellationToken.None);
        if (!_queue.TryEnqueue(item))
        {
            // Queue full or closed: the next tick tries again.
            Volatile.Write(ref _sweepQueued, 0);
        }
    }

    private void SweepExpiredLeases()
    {
        var database = Database;
        foreach (var leaseId in database.ExpiredLeases(NowMs(), MaxLeasesPerSweep))
        {
            // One revision per expired lease, with a delete event per bound key (as etcd's lessor does).
            var batch = database.Revoke(leaseId);
            Publish(batch);
            long deleted = batch?.Events.Count ?? 0;
            _logger.LeaseExpired(leaseId, deleted, database.Revision);
        }
    }

    private async Task<T> CallAsync<T>(string operation, Func<T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        using var timeout = new CancellationTokenSource(_options.CallTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var item = new DatabaseWorkItem<T>(work, linked.Token);
        try
        {
            await _queue.EnqueueAsync(item, linked.Token).ConfigureAwait(false);
            return await item.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _logger.CallTimedOut(operation, _options.CallTimeout);
            throw new MetadataUnavailableException(
                $"The metadata store did not complete {operation} within {_options.CallTimeout.TotalSeconds:0.###} s ({nameof(SqliteMetadataStoreOptions)}.{nameof(SqliteMetadataStoreOptions.CallTimeout)}) on '{_path}'. The disk may be stalled or overloaded, or the store is flooded with calls; check the disk and retry.",
                new TimeoutException());
        }
        catch (ChannelClosedException ex)
        {
            throw new ObjectDisposedException($"The metadata store '{_path}' is closed.", ex);
        }
        catch (Exception ex) when (SqliteErrors.IsStorageFailure(ex))
        {
            var translated = SqliteErrors.Translate(operation, _path, ex, opening: operation == OpenOperation);
            _logger.OperationFailed(operation, translated);
            throw translated;
        }
    }
}
