namespace Woodpecker.Runtime.Tests;

internal sealed class NoServices : IServiceProvider
{
    public object? GetService(Type serviceType) => null;
}

internal static class Runtimes
{
    public static ActorRuntime Create(ProbeJournal journal, Action<ActorRuntimeOptions>? configure = null)
    {
        var options = new ActorRuntimeOptions { IdleDeactivationAge = TimeSpan.FromMinutes(5) };
        configure?.Invoke(options);
        var registry = new GrainRegistry().Add<IProbeGrain, ProbeGrain>(ProbeGrainInterface.Descriptor, _ => new ProbeGrain(journal));
        return new ActorRuntime(registry, new NoServices(), options);
    }

    public static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(10);
        }
    }
}
