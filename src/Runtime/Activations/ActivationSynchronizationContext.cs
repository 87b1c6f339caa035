namespace Woodpecker.Runtime.Activations;

/// <summary>
/// Routes every continuation of grain code back to the activation's queue, so the code after an await runs on the
/// activation's single logical thread, like the code before it.
/// </summary>
internal sealed class ActivationSynchronizationContext : SynchronizationContext
{
    private readonly ActivationData _activation;

    public ActivationSynchronizationContext(ActivationData activation) => _activation = activation;

    public override void Post(SendOrPostCallback d, object? state) => _activation.EnqueueContinuation(d, state);

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous sends to a grain activation would deadlock; use Post.");

    public override SynchronizationContext CreateCopy() => this;
}
