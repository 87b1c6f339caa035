using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Grains.Collection;
using Woodpecker.Grains.Logs;
using Woodpecker.Grains.Metadata;
using Woodpecker.Grains.Reading;
using Woodpecker.Grains.Segments;
using Woodpecker.Grains.Service;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Runtime;
using Woodpecker.Runtime.Directory;
using Woodpecker.Runtime.Invocation;
using Woodpecker.Storage.Abstractions;

namespace Woodpecker.Grains.Hosting;

/// <summary>
/// The log domain on one silo: the actor runtime with the log grains registered, the reader registry, the
/// collection sweeper and the <see cref="LogService"/> façade. The embedded client and the silo host both start
/// one; they differ only in the metadata store, the storage backend and the call invoker they pass in.
/// </summary>
public sealed class LogServiceHost : IAsyncDisposable
{
    private readonly CollectionSweeper _sweeper;
    private readonly ReaderRegistry _readers;

    private LogServiceHost(ActorRuntime runtime, LogService service, CollectionSweeper sweeper, ReaderRegistry readers)
    {
        Runtime = runtime;
        Service = service;
        _sweeper = sweeper;
        _readers = readers;
    }

    /// <summary>The actor runtime hosting the log grains.</summary>
    public ActorRuntime Runtime { get; }

    /// <summary>The public API.</summary>
    public LogService Service { get; }

    /// <summary>Registers the log grain interfaces (for processes that only call them).</summary>
    public static GrainRegistry RegisterInterfaces(GrainRegistry registry) =>
        registry.AddInterface(LogGrainInterface.Descriptor).AddInterface(SegmentGrainInterface.Descriptor);

    /// <summary>
    /// Starts the log domain on the given metadata store and storage backend. A cluster silo passes its routing invoker
    /// factory and its grain directory; embedded mode passes neither.
    /// </summary>
    public static async Task<LogServiceHost> StartAsync(
        IMetadataStore metadataStore,
        ISegmentStorage storage,
        LogServiceOptions? options = null,
        ActorRuntimeOptions? runtimeOptions = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        Func<IGrainCallInvoker, IGrainCallInvoker>? invokerFactory = null,
        IGrainDirectory? directory = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new LogServiceOptions();
        options.Validate();
        timeProvider ??= TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        var metadata = new LogMetadata(metadataStore, new MetadataKeys(options.MetadataKeyPrefix));
        var registry = new GrainRegistry()
            .Add<ILogGrain, LogGrain>(LogGrainInterface.Descriptor, _ => new LogGrain(metadata, storage, options, loggerFactory))
            .Add<ISegmentGrain, SegmentGrain>(SegmentGrainInterface.Descriptor, _ => new SegmentGrain(metadata, storage, options, loggerFactory));
        var runtime = new ActorRuntime(registry, EmptyServices.Instance, runtimeOptions, timeProvider, loggerFactory, invokerFactory, directory);
        var readers = await ReaderRegistry.StartAsync(metadataStore, metadata, options.ReaderLeaseTtl, timeProvider, loggerFactory, cancellationToken).ConfigureAwait(false);
        var sweeper = new CollectionSweeper(metadata, storage, runtime.GrainFactory, options.CollectionInterval, timeProvider, loggerFactory.CreateLogger<CollectionSweeper>());
        var service = new LogService(runtime.GrainFactory, storage, metadata, options, readers);
        return new LogServiceHost(runtime, service, sweeper, readers);
    }

    /// <summary>
    /// Runs garbage collection now for every log with pending work, instead of at the next interval; retention
    /// delays and open readers are still respected. Returns how many logs it worked on.
    /// </summary>
    public Task<int> CollectGarbageAsync() => _sweeper.SweepAsync(ignoreDueTimes: true);

    /// <summary>Stops gracefully: every active segment is completed before its grain deactivates.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await Runtime.StopAsync(cancellationToken).ConfigureAwait(false);
        await _readers.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
