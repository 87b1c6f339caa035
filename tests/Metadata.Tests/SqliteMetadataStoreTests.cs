using Microsoft.Data.Sqlite;
using Woodpecker.Errors;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Sqlite;
using static Woodpecker.Metadata.Tests.TestUtil;

namespace Woodpecker.Metadata.Tests;

/// <summary>The contract suite on the embedded SQLite store, plus what only an embedded store has (files, restarts, the database thread).</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreContractTests, IDisposable
{
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>A small per-watcher buffer, so the contract's slow-watcher test exercises the catch-up path.</summary>
    protected override async Task<IMetadataStore> CreateStoreAsync() => await OpenAsync(NewOptions(watcherBuffer: 16));

    protected override Task CompactAsync(IMetadataStore store, long revision)
    {
        ((SqliteMetadataStore)store).CompactHistory(revision - 1);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Opens_with_wal_full_sync_and_an_exclusive_lock()
    {
        await using var store = await OpenAsync(NewOptions());
        Assert.Equal("wal", (string?)await store.PragmaAsync("journal_mode"));
        Assert.Equal(2L, (long?)await store.PragmaAsync("synchronous")); // FULL
        Assert.Equal("exclusive", (string?)await store.PragmaAsync("locking_mode"));
        Assert.False(string.IsNullOrEmpty((string?)await store.PragmaAsync("compile_options")));
    }

    [Fact]
    public async Task Keys_revision_and_leases_survive_reopen()
    {
        var options = NewOptions();
        long revision;
        long leaseId;
        KeyValue before;
        await using (var store = await OpenAsync(options))
        {
            await store.PutAsync("k/a", B("1"));
            await store.PutAsync("k/a", B("2"));
            await store.PutAsync("k/gone", B("x"));
            await store.DeleteAsync("k/gone");
            leaseId = (await store.GrantLeaseAsync(TimeSpan.FromMinutes(5))).Id;
            revision = await store.PutAsync("k/leased", B("l"), leaseId);
            before = (await store.GetAsync("k/a"))!;
        }

        await using (var store = await OpenAsync(options))
        {
            var range = await store.RangeAsync("k/");
            Assert.Equal(revision, range.Revision);
            Assert.Equal(["k/a", "k/leased"], range.Items.Select(kv => kv.Key));
            var after = (await store.GetAsync("k/a"))!;
            Assert.Equal((before.CreateRevision, before.ModRevision, before.Version, "2"), (after.CreateRevision, after.ModRevision, after.Version, S(after.Value)));
            Assert.Equal(leaseId, (await store.GetAsync("k/leased"))!.LeaseId);
            Assert.Equal(TimeSpan.FromMinutes(5), await store.KeepAliveAsync(leaseId));
            Assert.Equal(revision + 1, await store.PutAsync("k/b", B("3")));
            await store.RevokeLeaseAsync(leaseId);
            Assert.Null(await store.GetAsync("k/leased"));
        }
    }

    [Fact]
    public async Task Lease_of_a_crashed_store_expires_after_reopen()
    {
        var crashed = NewOptions();
        var copy = NewOptions();
        Directory.CreateDirectory(copy.DataDirectory);
        var clock = new ManualClock();
        await using (var store = await OpenAsync(crashed))
        {
            var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
            await store.PutAsync("member/1", B("silo"), lease.Id);
            await store.PutAsync("durable", B("d"));

            // A crash image: the files as they are while the store still runs (WAL not checkpointed, lock held).
            foreach (var file in Directory.GetFiles(crashed.DataDirectory))
            {
                File.Copy(file, Path.Combine(copy.DataDirectory, Path.GetFileName(file)));
            }
        }

        await using (var recovered = await OpenAsync(copy, clock))
        {
            Assert.NotNull(await recovered.GetAsync("member/1"));
            var watch = recovered.WatchAsync("member/");
            var deleted = TakeAsync(watch, 1, Prompt);
            clock.Advance(TimeSpan.FromSeconds(31));
            Assert.Equal(WatchEventKind.Delete, (await deleted).Single().Kind);
            Assert.Null(await recovered.GetAsync("member/1"));
            Assert.NotNull(await recovered.GetAsync("durable"));
        }
    }

    [Fact]
    public async Task Leases_that_expired_while_closed_are_gone_at_open()
    {
        var options = NewOptions();
        await using (var store = await OpenAsync(options))
        {
            var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
            await store.PutAsync("member/1", B("silo"), lease.Id);
        }

        var clock = new ManualClock();
        clock.Advance(TimeSpan.FromMinutes(1));
        await using (var store = await OpenAsync(options, clock))
        {
            Assert.Null(await store.GetAsync("member/1"));
        }
    }

    [Fact]
    public async Task Newer_schema_version_is_refused_with_a_clear_error()
    {
        var options = NewOptions();
        await (await OpenAsync(options)).DisposeAsync();
        await using (var connection = new SqliteConnection($"Data Source={options.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE meta SET value = 99 WHERE name = 'schema_version'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var error = await Assert.ThrowsAsync<MetadataUnavailableException>(() => OpenAsync(options));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        Assert.Contains(options.DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Foreign_sqlite_file_is_refused()
    {
        var options = NewOptions();
        Directory.CreateDirectory(options.DataDirectory);
        await using (var connection = new SqliteConnection($"Data Source={options.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE something (x)";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<MetadataUnavailableException>(() => OpenAsync(options));
        Assert.Contains("not a Woodpecker metadata store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_file_is_refused_as_not_a_database()
    {
        var options = NewOptions();
        Directory.CreateDirectory(options.DataDirectory);
        await File.WriteAllBytesAsync(options.DatabasePath, Enumerable.Repeat((byte)0x5a, 8192).ToArray());
        var error = await Assert.ThrowsAsync<MetadataUnavailableException>(() => OpenAsync(options));
        Assert.Contains("not a Woodpecker metadata database or is corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unwritable_path_gives_a_clear_error()
    {
        var root = NewDirectory();
        Directory.CreateDirectory(root);
        var file = Path.Combine(root, "a-file");
        await File.WriteAllTextAsync(file, "not a directory");
        var options = new SqliteMetadataStoreOptions { DataDirectory = Path.Combine(file, "metadata") };
        var error = await Assert.ThrowsAsync<MetadataUnavailableException>(() => OpenAsync(options));
        Assert.Contains(options.DataDirectory, error.Message, StringComparison.Ordinal);
        Assert.Contains("writ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_store_on_the_same_file_fails_as_locked_until_the_first_closes()
    {
        var options = NewOptions();
        options.BusyTimeout = TimeSpan.FromMilliseconds(100);
        var first = await OpenAsync(options);
        await first.PutAsync("a", B("1"));
        var error = await Assert.ThrowsAsync<DataDirectoryInUseException>(() => OpenAsync(options));
        Assert.Contains("in use by another process", error.Message, StringComparison.Ordinal);
        Assert.Contains(options.DatabasePath, error.Message, StringComparison.Ordinal);
        await first.DisposeAsync();
        await using var second = await OpenAsync(options);
        Assert.Equal("1", S((await second.GetAsync("a"))!.Value));
    }

    [Fact]
    public async Task Calls_time_out_and_honour_cancellation_while_queued()
    {
        var options = NewOptions();
        options.CallTimeout = TimeSpan.FromMilliseconds(300);
        await using var store = await OpenAsync(options);
        using var gate = new ManualResetEventSlim();
        var blocker = store.RunOnDatabaseThreadAsync(() => gate.Wait(TimeSpan.FromSeconds(30)));
        try
        {
            var started = DateTime.UtcNow;
            var timedOut = await Assert.ThrowsAsync<MetadataUnavailableException>(() => store.PutAsync("late", B("x")));
            Assert.Contains("within 0.3 s", timedOut.Message, StringComparison.Ordinal);
            Assert.IsType<TimeoutException>(timedOut.InnerException);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));

            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PutAsync("cancelled", B("x"), cancellationToken: cts.Token));
        }
        finally
        {
            gate.Set();
            await blocker;
        }

        // Calls abandoned while queued never ran.
        Assert.Null(await store.GetAsync("late"));
        Assert.Null(await store.GetAsync("cancelled"));
        await store.PutAsync("after", B("ok"));
        Assert.NotNull(await store.GetAsync("after"));
    }

    [Fact]
    public async Task Watch_from_before_open_is_compacted()
    {
        var options = NewOptions();
        long first;
        long last;
        await using (var store = await OpenAsync(options))
        {
            first = await store.PutAsync("w/1", B("1"));
            last = await store.PutAsync("w/2", B("2"));
        }

        await using (var store = await OpenAsync(options))
        {
            var error = await WatchThrowsAsync<WatchCompactedException>(store.WatchAsync("w/", first), Prompt);
            Assert.Equal(last, error.CompactRevision);
            var taking = TakeAsync(store.WatchAsync("w/", last + 1), 1, Prompt);
            var next = await store.PutAsync("w/3", B("3"));
            Assert.Equal(next, (await taking).Single().Item.ModRevision);
        }
    }

    [Fact]
    public async Task Fresh_store_can_be_watched_from_revision_one()
    {
        await using var store = await OpenAsync(NewOptions());
        var revision = await store.PutAsync("a", B("1"));
        var events = await TakeAsync(store.WatchAsync(string.Empty, 1), 1, Prompt);
        Assert.Equal(revision, events.Single().Item.ModRevision);
    }

    [Fact]
    public async Task History_ring_is_bounded_and_older_watches_are_compacted()
    {
        var options = NewOptions();
        options.WatchHistoryCapacity = 50;
        await using var store = await OpenAsync(options);
        var first = await store.PutAsync("r/0", B("0"));
        long last = 0;
        for (var i = 1; i < 100; i++)
        {
            last = await store.PutAsync($"r/{i}", B("x"));
        }

        await WatchThrowsAsync<WatchCompactedException>(store.WatchAsync("r/", first), Prompt);
        var recent = await TakeAsync(store.WatchAsync("r/", last - 49), 50, Prompt);
        Assert.Equal(last, recent[^1].Item.ModRevision);
    }

    [Fact]
    public async Task Lagging_watcher_catches_up_from_the_ring_without_blocking_writers()
    {
        var options = NewOptions(watcherBuffer: 4);
        var logger = new ListLogger();
        await using var store = await SqliteMetadataStore.OpenAsync(options, logger: logger);
        using var cts = new CancellationTokenSource(Prompt);
        await using var watch = store.WatchAsync("g/", 0, cts.Token).GetAsyncEnumerator(cts.Token);
        var firstMove = watch.MoveNextAsync();
        var revisions = new List<long>();
        for (var i = 0; i < 100; i++)
        {
            revisions.Add(await store.PutAsync($"g/{i:000}", B("x")));
        }

        // Every write completed although nobody read the watch; the watcher fell behind and was marked lagging.
        Assert.Contains(logger.Entries, e => e.Id.Id == 3005);
        Assert.True(await firstMove);
        var seen = new List<long> { watch.Current.Item.ModRevision };
        while (seen.Count < revisions.Count && await watch.MoveNextAsync())
        {
            seen.Add(watch.Current.Item.ModRevision);
        }

        Assert.Equal(revisions, seen);

        // Back to live delivery after catching up.
        var live = watch.MoveNextAsync();
        var next = await store.PutAsync("g/live", B("x"));
        Assert.True(await live);
        Assert.Equal(next, watch.Current.Item.ModRevision);
    }

    [Fact]
    public async Task Watcher_that_falls_behind_the_ring_ends_with_watch_compacted()
    {
        var options = NewOptions();
        options.WatchHistoryCapacity = 20;
        options.WatcherBufferCapacity = 4;
        await using var store = await OpenAsync(options);
        using var cts = new CancellationTokenSource(Prompt);
        await using var watch = store.WatchAsync("f/", 0, cts.Token).GetAsyncEnumerator(cts.Token);
        var firstMove = watch.MoveNextAsync();
        await store.PutAsync("f/0", B("0"));
        Assert.True(await firstMove);
        for (var i = 1; i < 60; i++)
        {
            await store.PutAsync($"f/{i}", B("x"));
        }

        var delivered = 1;
        var error = await Assert.ThrowsAsync<WatchCompactedException>(async () =>
        {
            while (await watch.MoveNextAsync())
            {
                delivered++;
            }
        });
        Assert.True(delivered < 60, $"delivered {delivered}");
        Assert.True(error.CompactRevision >= error.RequestedRevision);
    }

    [Fact]
    public async Task Dispose_ends_watches_and_rejects_calls()
    {
        var store = await OpenAsync(NewOptions());
        var watching = TakeAsync(store.WatchAsync(string.Empty), 1, Prompt);
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => watching);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("a"));
        Assert.Throws<ObjectDisposedException>(() => store.WatchAsync(string.Empty));
        await store.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_runs_calls_already_queued()
    {
        var options = NewOptions();
        var store = await OpenAsync(options);
        var puts = Enumerable.Range(0, 50).Select(i => store.PutAsync($"q/{i:00}", B("v"))).ToList();
        await store.DisposeAsync();
        await Task.WhenAll(puts);
        await using var reopened = await OpenAsync(options);
        Assert.Equal(50, (await reopened.RangeAsync("q/")).Items.Count);
    }

    [Theory]
    [InlineData(nameof(SqliteMetadataStoreOptions.DataDirectory))]
    [InlineData(nameof(SqliteMetadataStoreOptions.CallTimeout))]
    [InlineData(nameof(SqliteMetadataStoreOptions.LeaseSweepInterval))]
    [InlineData(nameof(SqliteMetadataStoreOptions.WatchHistoryCapacity))]
    [InlineData(nameof(SqliteMetadataStoreOptions.WatcherBufferCapacity))]
    [InlineData(nameof(SqliteMetadataStoreOptions.FileName))]
    public void Options_validation_names_the_bad_setting(string setting)
    {
        var options = NewOptions();
        switch (setting)
        {
            case nameof(SqliteMetadataStoreOptions.DataDirectory): options.DataDirectory = " "; break;
            case nameof(SqliteMetadataStoreOptions.CallTimeout): options.CallTimeout = TimeSpan.Zero; break;
            case nameof(SqliteMetadataStoreOptions.LeaseSweepInterval): options.LeaseSweepInterval = TimeSpan.FromSeconds(-1); break;
            case nameof(SqliteMetadataStoreOptions.WatchHistoryCapacity): options.WatchHistoryCapacity = 0; break;
            case nameof(SqliteMetadataStoreOptions.WatcherBufferCapacity): options.WatcherBufferCapacity = -5; break;
            case nameof(SqliteMetadataStoreOptions.FileName): options.FileName = "../x.db"; break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(setting, error.ParamName);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        NewOptions().Validate();
    }

    private SqliteMetadataStoreOptions NewOptions(int watcherBuffer = 1_024) => new()
    {
        DataDirectory = NewDirectory(),
        WatcherBufferCapacity = watcherBuffer,
    };

    private string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "wp-metadata-tests", Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        return directory;
    }

    private static Task<SqliteMetadataStore> OpenAsync(SqliteMetadataStoreOptions options, TimeProvider? clock = null) =>
        SqliteMetadataStore.OpenAsync(options, clock);
}
