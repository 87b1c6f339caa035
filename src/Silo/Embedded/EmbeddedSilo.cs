using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Grains.Hosting;
using Woodpecker.Grains.Service;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Etcd;
using Woodpecker.Metadata.Sqlite;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Local;
using Woodpecker.Storage.S3;

namespace Woodpecker.Silo.Embedded;

/// <summary>
/// A single silo inside the application's process: SQLite metadata and segment files in one data directory, no
/// servers (layout: DATA/LOCK, DATA/metadata.db, DATA/segments/logs/...). With etcd configured, metadata lives in
/// etcd and the data directory holds only segments, which several processes may share.
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    private readonly DataDirectoryLock? _lock;
    private readonly IMetadataStore _metadata;
    private readonly ISegmentStorage _storage;
    private int _stopped;

    private EmbeddedSilo(DataDirectoryLock? directoryLock, IMetadataStore metadata, ISegmentStorage storage, LogServiceHost host, string dataDirectory)
    {
        _lock = directoryLock;
        _metadata = metadata;
        _storage = storage;
        Host = host;
        DataDirectory = dataDirectory;
    }

    /// <summary>The absolute data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The log domain running in this silo.</summary>
    public LogServiceHost Host { get; }

    /// <summary>The public API.</summary>
    public LogService Service => Host.Service;

    /// <summary>Opens the data directory (creating it when missing) and starts the silo.</summary>
    /// <exception cref="Errors.DataDirectoryInUseException">Another process uses the directory.</exception>
    public static async Task<EmbeddedSilo> StartAsync(
        EmbeddedSiloOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var directory = Path.GetFullPath(options.DataDirectory);

        // SQLite needs the directory to itself; with etcd, processes may share it (segment files lock themselves).
        var directoryLock = options.Etcd is null ? DataDirectoryLock.Acquire(directory) : null;
        IMetadataStore? metadata = null;
        ISegmentStorage? storage = null;
        try
        {
            metadata = options.Etcd is null
                ? await SqliteMetadataStore.OpenAsync(
                    new SqliteMetadataStoreOptions
                    {
                        DataDirectory = directory,

                        // Nothing in one process resumes a watch from the past, and the history ring would hold
                        // megabytes of old metadata values for ever: keep only a little.
                        WatchHistoryCapacity = 64,
                    },
                    timeProvider, loggerFactory.CreateLogger<SqliteMetadataStore>(), cancellationToken).ConfigureAwait(false)
                : await ConnectEtcdAsync(options, timeProvider, loggerFactory, cancellationToken).ConfigureAwait(false);
            if (options.S3 is { } s3)
            {
                storage = await S3SegmentStorage.StartAsync(s3, timeProvider, loggerFactory.CreateLogger<S3SegmentStorage>(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                options.Storage.RootDirectory = Path.Combine(directory, "segments");
                storage = new LocalSegmentStorage(options.Storage);
            }

            var host = await LogServiceHost.StartAsync(metadata, storage, options.Log, options.Runtime, timeProvider, loggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new EmbeddedSilo(directoryLock, metadata, storage, host, directory);
        }
        catch
        {
            if (storage is not null)
            {
                await storage.DisposeAsync().ConfigureAwait(false);
            }

            if (metadata is not null)
            {
                await metadata.DisposeAsync().ConfigureAwait(false);
            }

            directoryLock?.Dispose();
            throw;
        }
    }

    /// <summary>Connects to etcd and checks that it answers, so a wrong endpoint fails here, within the call timeout.</summary>
    private static async Task<IMetadataStore> ConnectEtcdAsync(
        EmbeddedSiloOptions options, TimeProvider? timeProvider, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var store = new EtcdMetadataStore(options.Etcd!, timeProvider, loggerFactory.CreateLogger<EtcdMetadataStore>());
        try
        {
            await store.GetAsync(options.Log.MetadataKeyPrefix + "names/", cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops gracefully: completes active segments, then closes storage, metadata and the directory lock.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        try
        {
            await Host.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
            await _metadata.DisposeAsync().ConfigureAwait(false);
            _lock?.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
