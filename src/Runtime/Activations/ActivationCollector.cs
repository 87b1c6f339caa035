using Woodpecker.Runtime.Diagnostics;

namespace Woodpecker.Runtime.Activations;

/// <summary>
/// Finds activations that have been idle for the configured age and asks each to deactivate. The decision is
/// re-checked on the activation's own thread, so a call that arrives meanwhile always wins.
/// </summary>
internal sealed class ActivationCollector : IDisposable
{
    private readonly ActivationCatalog _catalog;
    private readonly ITimer _timer;

    public ActivationCollector(ActivationCatalog catalog)
    {
        _catalog = catalog;
        var interval = catalog.Runtime.Options.EffectiveCollectionInterval;
        _timer = catalog.Runtime.TimeProvider.CreateTimer(static state => ((ActivationCollector)state!).Collect(), this, interval, interval);
    }

    public void Collect()
    {
        var runtime = _catalog.Runtime;
        var now = runtime.TimeProvider.GetTimestamp();
        var age = runtime.Options.IdleDeactivationAge;
        var probed = 0;
        foreach (var activation in _catalog.Activations)
        {
            activation.RequestIdleCheck(now, age);
            probed++;
        }

        RuntimeLog.IdleCollected(runtime.Logger, probed);
    }

    public void Dispose() => _timer.Dispose();
}
