using Woodpecker.Runtime.Invocation;

namespace Woodpecker.Runtime;

/// <summary>Makes typed references to grains. References are cheap and never activate anything by themselves.</summary>
public sealed class GrainFactory
{
    private readonly GrainRegistry _registry;
    private readonly IGrainCallInvoker _invoker;

    /// <summary>Creates a factory whose references deliver calls through <paramref name="invoker"/>.</summary>
    public GrainFactory(GrainRegistry registry, IGrainCallInvoker invoker)
    {
        _registry = registry;
        _invoker = invoker;
    }

    /// <summary>A reference to the grain of interface <typeparamref name="TInterface"/> with key <paramref name="key"/>.</summary>
    public TInterface GetGrain<TInterface>(string key)
        where TInterface : class, IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var descriptor = _registry.GetInterface<TInterface>();
        return descriptor.CreateProxy(new GrainReference(new GrainId(descriptor.TypeName, key), _invoker));
    }
}
