namespace Woodpecker.Runtime.Activations;

/// <summary>
/// Work the runtime itself schedules on an activation as a turn: activation, deactivation, timer ticks and idle
/// checks. System turns never interleave with calls, and they run before queued calls.
/// </summary>
internal abstract class SystemTurn
{
    public abstract Task Run(ActivationData activation);

    public virtual void Completed(ActivationData activation, Task finished)
    {
    }
}
