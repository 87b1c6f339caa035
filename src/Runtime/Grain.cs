using Woodpecker.Runtime.Activations;
using Woodpecker.Runtime.Timers;

namespace Woodpecker.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime guarantees one activation per key, runs one turn at a time
/// (interleaving only for methods marked <see cref="Invocation.GrainMethodOptions.AlwaysInterleave"/>), and runs
/// every continuation of grain code on the activation's own single-threaded context, so grain state needs no locks.
/// </summary>
public abstract class Grain
{
    private ActivationData? _activation;

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => Activation.Id;

    /// <summary>
    /// This activation's epoch from the cluster's grain directory: larger for every newer activation of the grain,
    /// 0 in embedded mode. Side effects that must not come from a stale activation carry it.
    /// </summary>
    public long ActivationEpoch => Activation.Epoch;

    /// <summary>
    /// The directory key and epoch of this activation, for fencing metadata writes (null in embedded mode, where no other
    /// activation can exist). A write that also compares the key's create revision with the epoch fails once a newer
    /// activation exists anywhere.
    /// </summary>
    public ActivationFence? ActivationFence =>
        Activation.Runtime.Directory is { } directory && Activation.Epoch > 0 ? new ActivationFence(directory.FenceKey(GrainId), Activation.Epoch) : null;

    /// <summary>This grain's key.</summary>
    protected string Key => Activation.Id.Key;

    /// <summary>Makes references to other grains.</summary>
    protected GrainFactory GrainFactory => Activation.Runtime.GrainFactory;

    /// <summary>The clock every grain timer and timestamp uses (injectable for tests).</summary>
    protected TimeProvider TimeProvider => Activation.Runtime.TimeProvider;

    private ActivationData Activation =>
        _activation ?? throw new InvalidOperationException("The grain is not bound to an activation yet; do not use it from the constructor.");

    /// <summary>Called once, before the first call is delivered.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called once, after the last call, before the activation is dropped.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Registers a timer whose ticks are delivered through the activation's queue as turns of their own:
    /// ticks never overlap each other or another turn, and the next period starts when a tick completes.
    /// Ticks do not count as activity, so a timer does not keep an idle grain alive.
    /// </summary>
    /// <param name="callback">The tick handler.</param>
    /// <param name="dueTime">Delay before the first tick.</param>
    /// <param name="period">Delay between the end of a tick and the next one; <see cref="Timeout.InfiniteTimeSpan"/> for a one-shot timer.</param>
    protected IGrainTimer RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(callback, dueTime, period);

    /// <summary>Asks the runtime to deactivate this grain as soon as no call is running. Later calls reach a new activation.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation();

    internal void Bind(ActivationData activation) => _activation = activation;
}
