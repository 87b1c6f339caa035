using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Runtime.Activations;
using Woodpecker.Runtime.Diagnostics;
using Woodpecker.Runtime.Directory;
using Woodpecker.Runtime.Invocation;

namespace Woodpecker.Runtime;

/// <summary>
/// The in-process actor runtime: the grain registry, the catalog of activations, idle collection, and the
/// factory that hands out grain references. One per silo (several in one process in the test cluster).
/// </summary>
public sealed class ActorRuntime : IAsyncDisposable
{
    private readonly ActivationCatalog _catalog;
    private readonly ActivationCollector _collector;
    private int _stopped;

    /// <summary>Creates and starts a runtime.</summary>
    /// <param name="registry">The grain interfaces and classes this runtime knows.</param>
    /// <param name="services">Services that grain constructors receive.</param>
    /// <param name="options">Runtime options; validated here.</param>
    /// <param name="timeProvider">The clock for timers, timeouts and idle ages; null for the system clock.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="invokerFactory">Wraps the local invoker (the cluster runtime routes through here); null to call locally.</param>
    /// <param name="directory">The cluster's grain directory, claimed before every activation; null when every grain is local.</param>
    public ActorRuntime(
        GrainRegistry registry,
        IServiceProvider services,
        ActorRuntimeOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        Func<IGrainCallInvoker, IGrainCallInvoker>? invokerFactory = null,
        IGrainDirectory? directory = null)
    {
        Directory = directory;
        Options = options ?? new ActorRuntimeOptions();
        Options.Validate();
        Registry = registry;
        Services = services;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Woodpecker.Runtime");
        _catalog = new ActivationCatalog(this);
        LocalInvoker = new LocalGrainCallInvoker(this, _catalog);
        var invoker = invokerFactory?.Invoke(LocalInvoker) ?? LocalInvoker;
        GrainFactory = new GrainFactory(registry, invoker);
        _collector = new ActivationCollector(_catalog);
    }

    /// <summary>The runtime's options.</summary>
    public ActorRuntimeOptions Options { get; }

    /// <summary>The grain registry.</summary>
    public GrainRegistry Registry { get; }

    /// <summary>Services for grain constructors.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The runtime's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Makes grain references.</summary>
    public GrainFactory GrainFactory { get; }

    /// <summary>The cluster's grain directory; null in embedded mode.</summary>
    public IGrainDirectory? Directory { get; }

    /// <summary>Delivers calls to activations in this process, bypassing any routing.</summary>
    public IGrainCallInvoker LocalInvoker { get; }

    /// <summary>Number of activations in this process right now.</summary>
    public int ActivationCount => _catalog.Count;

    /// <summary>True after <see cref="StopAsync"/> began.</summary>
    public bool IsStopped => Volatile.Read(ref _stopped) == 1;

    internal ILogger Logger { get; }

    /// <summary>Looks for idle activations now instead of at the next collection interval.</summary>
    public void CollectIdleActivations() => _collector.Collect();

    /// <summary>True when the grain has a live activation in this process.</summary>
    public bool IsActive(GrainId grain) => _catalog.Activations.Any(a => a.Id == grain && !a.IsTerminating);

    /// <summary>Deactivates every activation gracefully (each runs OnDeactivateAsync), then refuses new calls.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _collector.Dispose();
        var pending = _catalog.Activations.Select(a => a.DeactivateForShutdownAsync()).ToArray();
        try
        {
            await Task.WhenAll(pending)
                .WaitAsync(Options.DeactivationTimeout + TimeSpan.FromSeconds(1), TimeProvider, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            RuntimeLog.ShutdownIncomplete(Logger, pending.Count(t => !t.IsCompleted));
        }
    }

    /// <summary>
    /// Stops at once without deactivating anything: no OnDeactivateAsync runs and no directory entry is released.
    /// For a silo that lost its cluster lease, whose grains may already be active elsewhere; calls fail with
    /// <paramref name="error"/>.
    /// </summary>
    public async Task AbortAsync(Exception error)
    {
        Interlocked.Exchange(ref _stopped, 1);
        _collector.Dispose();
        var activations = _catalog.Activations.ToArray();
        RuntimeLog.Aborting(Logger, activations.Length, error.Message);
        var pending = activations.Select(a => a.AbortAsync(error)).ToArray();
        await Task.WhenAll(pending)
            .WaitAsync(Options.DeactivationTimeout, TimeProvider)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
