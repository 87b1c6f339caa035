using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// The SQLite database behind <see cref="SqliteMetadataStore"/>. Used only on the store's database thread, so it
/// needs no locking, and its in-memory <see cref="Revision"/> always equals the committed one.
/// </summary>
/// <remarks>
/// Schema (version 1): <c>meta(name, value)</c> holds <c>schema_version</c> and <c>revision</c>;
/// <c>kv(key BLOB, value, create_rev, mod_rev, version, lease)</c> with keys as UTF-8 bytes (memcmp order, as etcd);
/// <c>lease(id, ttl_ms, expires_at_ms)</c> with the expiry as Unix milliseconds of the wall clock, so the leases of a
/// process that died expire after a restart.
/// </remarks>
internal sealed class MetadataDatabase : IDisposable
{
    /// <summary>The revision of an empty store (etcd's too: its first write is revision 2).</summary>
    public const long InitialRevision = 1;

    private const string KvColumns = "key, value, create_rev, mod_rev, version, lease";

    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private MetadataDatabase(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The latest committed revision.</summary>
    public long Revision { get; private set; }

    /// <summary>Opens (creating when missing) the database and its schema, and takes the file's lock.</summary>
    public static MetadataDatabase Open(SqliteMetadataStoreOptions options, ILogger logger)
    {
        var path = System.IO.Path.GetFullPath(options.DatabasePath);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new MetadataUnavailableException($"Cannot create the metadata directory for '{path}': {ex.Message} Check that the path is correct and that this process may create and write it.", ex);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // A pooled connection would keep the file (and its exclusive lock) open after the store is closed.
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy database for this many whole seconds; 0 would mean forever.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        var database = new MetadataDatabase(connection, path);
        try
        {
            connection.Open();
            database.Configure(options, logger);
            database.EnsureSchema();
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Reads a pragma's value (diagnostics and tests).</summary>
    public object? Pragma(string name) => Command($"PRAGMA {name}").ExecuteScalar();

    /// <summary>Number of leases held.</summary>
    public long LeaseCount() => (long)Command("SELECT count(*) FROM lease").ExecuteScalar()!;

    /// <summary>Reads one key.</summary>
    public KeyValue? Get(byte[] key)
    {
        var command = Command($"SELECT {KvColumns} FROM kv WHERE key = $key", ("$key", key));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadKeyValue(reader) : null;
    }

    /// <summary>Reads a page of keys under a prefix.</summary>
    public RangeResult Range(byte[] prefix, byte[]? startAfter, int limit)
    {
        var end = KeyCodec.PrefixEnd(prefix);
        var exclusive = startAfter is not null && startAfter.AsSpan().SequenceCompareTo(prefix) >= 0;
        var sql = $"SELECT {KvColumns} FROM kv WHERE key {(exclusive ? ">" : ">=")} $lo{(end is null ? string.Empty : " AND key < $hi")} ORDER BY key LIMIT $limit";
        var command = Command(sql, ("$lo", exclusive ? startAfter! : prefix), ("$hi", end), ("$limit", limit == 0 ? -1L : limit + 1L));
        var items = new List<KeyValue>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(ReadKeyValue(reader));
            }
        }

        var more = limit > 0 && items.Count > limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return new RangeResult(items, more, Revision);
    }

    /// <summary>Runs a transaction: compares, then one branch, committed at one new revision when anything changed.</summary>
    public (TxnResult Result, RevisionBatch? Batch) Txn(Txn txn, long nowMs)
    {
        Execute("BEGIN IMMEDIATE");
        try
        {
            var succeeded = txn.Compares.TrueForAll(Holds);
            var ops = succeeded ? txn.Success : txn.Failure;
            foreach (var op in ops)
            {
                if (op is PutOp { LeaseId: not 0 } put && !LeaseAlive(put.LeaseId, nowMs))
                {
                    throw new LeaseNotFoundException(put.LeaseId);
                }
            }

            var revision = Revision + 1;
            var events = new List<WatchEvent>();
            var responses = new List<TxnOpResult>(ops.Count);
            foreach (var op in ops)
            {
                switch (op)
                {
                    case GetOp get:
                        responses.Add(new TxnOpResult(Get(KeyCodec.EncodeKey(get.Key)), 0));
                        break;
                    case PutOp put:
                        events.Add(new WatchEvent(WatchEventKind.Put, Put(put, revision)));
                        responses.Add(new TxnOpResult(null, 0));
                        break;
                    case DeleteOp delete:
                        var before = events.Count;
                        if (delete.IsPrefix)
                        {
                            DeleteRange(KeyCodec.EncodePrefix(delete.Key), revision, events);
                        }
                        else
                        {
                            DeleteOne(KeyCodec.EncodeKey(delete.Key), revision, events);
                        }

                        responses.Add(new TxnOpResult(null, events.Count - before));
                        break;
                }
            }

            var batch = Finish(revision, events);
            return (new TxnResult(succeeded, Revision, responses), batch);
        }
        catch
        {
            RollbackQuietly();
            throw;
        }
    }

    /// <summary>Creates a lease with a random non-zero 63-bit id.</summary>
    public LeaseGrant Grant(TimeSpan ttl, long nowMs)
    {
        var ttlMs = (long)Math.Ceiling(ttl.TotalMilliseconds);
        while (true)
        {
            var id = NewLeaseId();
            var inserted = Command(
                "INSERT OR IGNORE INTO lease (id, ttl_ms, expires_at_ms) VALUES ($id, $ttl, $expires)",
                ("$id", id),
                ("$ttl", ttlMs),
                ("$expires", nowMs + ttlMs)).ExecuteNonQuery();
            if (inserted == 1)
            {
                return new LeaseGrant(id, TimeSpan.FromMilliseconds(ttlMs));
            }
        }
    }

    /// <summary>Renews a live lease for its full TTL; throws <see cref="LeaseNotFoundException"/> for unknown or expired ones.</summary>
    public TimeSpan KeepAlive(long leaseId, long nowMs)
    {
        var ttl = Command(
            "UPDATE lease SET expires_at_ms = $now + ttl_ms WHERE id = $id AND expires_at_ms > $now RETURNING ttl_ms",
            ("$id", leaseId),
            ("$now", nowMs)).ExecuteScalar();
        return ttl is long ms ? TimeSpan.FromMilliseconds(ms) : throw new LeaseNotFoundException(leaseId);
    }

    /// <summary>Deletes a lease and its keys at one revision; returns the revision's events (null when no key was bound).</summary>
    public RevisionBatch? Revoke(long leaseId)
    {
        Execute("BEGIN IMMEDIATE");
        try
        {
            var revision = Revision + 1;
            var events = new List<WatchEvent>();
            var keys = new List<byte[]>();
            using (var reader = Command("SELECT key FROM kv WHERE lease = $id ORDER BY key", ("$id", leaseId)).ExecuteReader())
            {
                while (reader.Read())
                {
                    keys.Add(reader.GetFieldValue<byte[]>(0));
                }
            }

            foreach (var key in keys)
            {
                DeleteOne(key, revision, events);
            }

            Command("DELETE FROM lease WHERE id = $id", ("$id", leaseId)).ExecuteNonQuery();
            return Finish(revision, events, commitWithoutChanges: true);
        }
        catch
        {
            RollbackQuietly();
            throw;
        }
    }

    /// <summary>Ids of leases whose expiry has passed, oldest first.</summary>
    public List<long> ExpiredLeases(long nowMs, int max)
    {
        var ids = new List<long>();
        using var reader = Command(
            "SELECT id FROM lease WHERE expires_at_ms <= $now ORDER BY expires_at_ms LIMIT $max",
            ("$now", nowMs),
            ("$max", (long)max)).ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _connection.Dispose();
    }

    private static long NewLeaseId()
    {
        Span<byte> bytes = stackalloc byte[8];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var id = BinaryPrimitives.ReadInt64LittleEndian(bytes) & long.MaxValue;
            if (id != 0)
            {
                return id;
            }
        }
    }

    private static KeyValue ReadKeyValue(SqliteDataReader reader) => new(
        KeyCodec.Decode(reader.GetFieldValue<byte[]>(0)),
        reader.GetFieldValue<byte[]>(1),
        reader.GetInt64(2),
        reader.GetInt64(3),
        reader.GetInt64(4),
        reader.GetInt64(5));

    private static bool Holds(long stored, long given, CompareOperator op) => op switch
    {
        CompareOperator.Equal => stored == given,
        CompareOperator.NotEqual => stored != given,
        CompareOperator.Greater => stored > given,
        CompareOperator.Less => stored < given,
        _ => false,
    };

    private void Configure(SqliteMetadataStoreOptions options, ILogger logger)
    {
        Execute($"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}");
        // One process owns the file: the lock taken at the first write is kept until the connection closes, so a
        // second process (or a second store on the same file) fails clearly instead of racing on revisions.
        Execute("PRAGMA locking_mode = EXCLUSIVE");
        var mode = Convert.ToString(Command("PRAGMA journal_mode = WAL").ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "?";
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            logger.NoWal(Path, mode);
        }

        // FULL: a committed transaction survives power loss (a lost segment record could lose acknowledged data).
        Execute("PRAGMA synchronous = FULL");
    }

    private void EnsureSchema()
    {
        // EXCLUSIVE takes the write lock now (and locking_mode keeps it), so a second opener fails at open.
        Execute("BEGIN EXCLUSIVE");
        try
        {
            var hasMeta = (long)Command("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'").ExecuteScalar()! > 0;
            if (!hasMeta)
            {
                var objects = (long)Command("SELECT count(*) FROM sqlite_master").ExecuteScalar()!;
                if (objects > 0)
                {
                    throw new MetadataUnavailableException($"'{Path}' is a SQLite database but not a Woodpecker metadata store (it has no meta table). Point the store at its own file or directory.");
                }

                Execute("""
                    CREATE TABLE meta (name TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE kv (
                        key BLOB NOT NULL PRIMARY KEY,
                        value BLOB NOT NULL,
                        create_rev INTEGER NOT NULL,
                        mod_rev INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        lease INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE INDEX kv_by_lease ON kv (lease);
                    CREATE TABLE lease (id INTEGER NOT NULL PRIMARY KEY, ttl_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL);
                    CREATE INDEX lease_by_expiry ON lease (expires_at_ms);
                    """);
                Command("INSERT INTO meta (name, value) VALUES ('schema_version', $v), ('revision', $r)", ("$v", (long)SqliteMetadataStoreOptions.CurrentSchemaVersion), ("$r", InitialRevision)).ExecuteNonQuery();
            }

            var version = Command("SELECT value FROM meta WHERE name = 'schema_version'").ExecuteScalar() as long?;
            if (version is null || version < 1)
            {
                throw new MetadataUnavailableException($"The metadata database '{Path}' has no valid schema version; it is damaged or was not written by Woodpecker. Restore it from a backup or point the store elsewhere.");
            }

            if (version > SqliteMetadataStoreOptions.CurrentSchemaVersion)
            {
                throw new MetadataUnavailableException($"The metadata database '{Path}' has schema version {version}, written by a newer Woodpecker; this build understands up to version {SqliteMetadataStoreOptions.CurrentSchemaVersion}. Upgrade this process (downgrading is not supported) or restore a backup made by this version.");
            }

            Revision = Command("SELECT value FROM meta WHERE name = 'revision'").ExecuteScalar() as long?
                ?? throw new MetadataUnavailableException($"The metadata database '{Path}' has no revision record; it is damaged. Restore it from a backup.");
            Execute("COMMIT");
        }
        catch
        {
            RollbackQuietly();
            throw;
        }
    }

    private bool Holds(Compare compare)
    {
        var kv = Get(KeyCodec.EncodeKey(compare.Key));
        if (compare.Target == CompareTarget.Value)
        {
            // etcd: a value compare on a missing key is false, whatever the operator.
            if (kv is null)
            {
                return false;
            }

            return Holds(kv.Value.Span.SequenceCompareTo(compare.Value.Span), 0, compare.Operator);
        }

        var stored = kv is null ? 0 : compare.Target switch
        {
            CompareTarget.Version => kv.Version,
            CompareTarget.CreateRevision => kv.CreateRevision,
            CompareTarget.ModRevision => kv.ModRevision,
            _ => 0,
        };
        return Holds(stored, compare.Number, compare.Operator);
    }

    private bool LeaseAlive(long leaseId, long nowMs) =>
        Command("SELECT 1 FROM lease WHERE id = $id AND expires_at_ms > $now", ("$id", leaseId), ("$now", nowMs)).ExecuteScalar() is not null;

    private KeyValue Put(PutOp put, long revision)
    {
        var key = KeyCodec.EncodeKey(put.Key);
        var value = put.Value.ToArray();
        using var reader = Command(
            """
            INSERT INTO kv (key, value, create_rev, mod_rev, version, lease) VALUES ($key, $value, $rev, $rev, 1, $lease)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, version = version + 1, lease = excluded.lease
            RETURNING create_rev, version
            """,
            ("$key", key),
            ("$value", value),
            ("$rev", revision),
            ("$lease", put.LeaseId)).ExecuteReader();
        reader.Read();
        return new KeyValue(put.Key, value, reader.GetInt64(0), revision, reader.GetInt64(1), put.LeaseId);
    }

    private void DeleteOne(byte[] key, long revision, List<WatchEvent> events)
    {
        if (Command("DELETE FROM kv WHERE key = $key", ("$key", key)).ExecuteNonQuery() > 0)
        {
            events.Add(DeleteEvent(KeyCodec.Decode(key), revision));
        }
    }

    private void DeleteRange(byte[] prefix, long revision, List<WatchEvent> events)
    {
        var end = KeyCodec.PrefixEnd(prefix);
        var where = end is null ? "key >= $lo" : "key >= $lo AND key < $hi";
        var before = events.Count;
        using (var reader = Command($"SELECT key FROM kv WHERE {where} ORDER BY key", ("$lo", prefix), ("$hi", end)).ExecuteReader())
        {
            while (reader.Read())
            {
                events.Add(DeleteEvent(KeyCodec.Decode(reader.GetFieldValue<byte[]>(0)), revision));
            }
        }

        if (events.Count > before)
        {
            Command($"DELETE FROM kv WHERE {where}", ("$lo", prefix), ("$hi", end)).ExecuteNonQuery();
        }
    }

    private static WatchEvent DeleteEvent(string key, long revision) =>
        new(WatchEventKind.Delete, new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, revision, 0, 0));

    private RevisionBatch? Finish(long revision, List<WatchEvent> events, bool commitWithoutChanges = false)
    {
        if (events.Count == 0)
        {
            if (commitWithoutChanges)
            {
                Execute("COMMIT");
            }
            else
            {
                Execute("ROLLBACK");
            }

            return null;
        }

        Command("UPDATE meta SET value = $rev WHERE name = 'revision'", ("$rev", revision)).ExecuteNonQuery();
        Execute("COMMIT");
        Revision = revision;
        return new RevisionBatch(revision, events);
    }

    private void RollbackQuietly()
    {
        if (_connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction was open (it failed to start or was already rolled back by SQLite).
        }
    }

    private void Execute(string sql) => Command(sql).ExecuteNonQuery();

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            // A null value means "not used by this statement" (e.g. no upper bound for an empty prefix).
            if (value is not null)
            {
                command.Parameters.AddWithValue(name, value);
            }
        }

        return command;
    }
}
