using Microsoft.Extensions.DependencyInjection;
using Woodpecker.Runtime.Invocation;

namespace Woodpecker.Runtime;

/// <summary>
/// Which grain interfaces exist and which class implements each. Built once at start-up; after that, lookups are
/// dictionary reads and grains are created by precompiled factories (no reflection per call).
/// </summary>
public sealed class GrainRegistry
{
    private readonly Dictionary<Type, GrainInterface> _interfaces = [];
    private readonly Dictionary<string, GrainClass> _classes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GrainMethod> _methods = new(StringComparer.Ordinal);

    /// <summary>Registers <typeparamref name="TGrain"/> as the implementation of <typeparamref name="TInterface"/>.</summary>
    /// <param name="grainInterface">The interface's descriptor.</param>
    /// <param name="factory">Creates a grain instance; null creates it with constructor injection from the runtime's services.</param>
    public GrainRegistry Add<TInterface, TGrain>(GrainInterface<TInterface> grainInterface, Func<IServiceProvider, TGrain>? factory = null)
        where TInterface : class, IGrain
        where TGrain : Grain, TInterface
    {
        AddInterface(grainInterface);
        if (_classes.ContainsKey(grainInterface.TypeName))
        {
            throw new InvalidOperationException($"Grain type '{grainInterface.TypeName}' already has an implementation.");
        }

        Func<IServiceProvider, Grain> create;
        if (factory is not null)
        {
            create = factory;
        }
        else
        {
            var objectFactory = ActivatorUtilities.CreateFactory(typeof(TGrain), Type.EmptyTypes);
            create = services => (Grain)objectFactory(services, null);
        }

        _classes.Add(grainInterface.TypeName, new GrainClass(grainInterface, create));
        return this;
    }

    /// <summary>Registers an interface that this process calls but does not host (a client-only view).</summary>
    public GrainRegistry AddInterface<TInterface>(GrainInterface<TInterface> grainInterface)
        where TInterface : class, IGrain
    {
        if (_interfaces.TryGetValue(typeof(TInterface), out var existing))
        {
            if (!ReferenceEquals(existing, grainInterface))
            {
                throw new InvalidOperationException($"Grain interface {typeof(TInterface).Name} is registered twice with different descriptors.");
            }

            return this;
        }

        _interfaces.Add(typeof(TInterface), grainInterface);
        foreach (var method in grainInterface.Methods)
        {
            if (!_methods.TryAdd(method.Name, method))
            {
                throw new InvalidOperationException($"Grain method name '{method.Name}' is used twice.");
            }
        }

        return this;
    }

    /// <summary>The descriptor of <typeparamref name="TInterface"/>.</summary>
    public GrainInterface<TInterface> GetInterface<TInterface>()
        where TInterface : class, IGrain =>
        _interfaces.TryGetValue(typeof(TInterface), out var descriptor)
            ? (GrainInterface<TInterface>)descriptor
            : throw new InvalidOperationException($"Grain interface {typeof(TInterface).Name} is not registered with the runtime.");

    /// <summary>Finds a method by its unique name (used by remote dispatch).</summary>
    public bool TryGetMethod(string name, out GrainMethod method) => _methods.TryGetValue(name, out method!);

    /// <summary>True when this process can host grains of <paramref name="typeName"/>.</summary>
    public bool HostsType(string typeName) => _classes.ContainsKey(typeName);

    internal GrainClass GetClass(string typeName) =>
        _classes.TryGetValue(typeName, out var grainClass)
            ? grainClass
            : throw new InvalidOperationException($"No grain class is registered for grain type '{typeName}'.");
}

/// <summary>A registered grain class: its interface and its factory.</summary>
internal sealed record GrainClass(GrainInterface Interface, Func<IServiceProvider, Grain> Create);
