namespace Woodpecker.Runtime.Invocation;

/// <summary>
/// Describes a grain interface: the type name its grains are registered under, its methods, and how to make a
/// proxy. Written once next to the interface; the runtime uses it instead of reflection.
/// </summary>
public abstract class GrainInterface
{
    private protected GrainInterface(Type interfaceType, string typeName, IReadOnlyList<GrainMethod> methods)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        InterfaceType = interfaceType;
        TypeName = typeName;
        Methods = methods;
    }

    /// <summary>The CLR interface type.</summary>
    public Type InterfaceType { get; }

    /// <summary>The grain type name, part of every <see cref="GrainId"/> of this type.</summary>
    public string TypeName { get; }

    /// <summary>The interface's methods, by which remote calls are dispatched.</summary>
    public IReadOnlyList<GrainMethod> Methods { get; }
}

/// <summary>Describes the grain interface <typeparamref name="TInterface"/>.</summary>
public sealed class GrainInterface<TInterface> : GrainInterface
    where TInterface : class, IGrain
{
    private readonly Func<GrainReference, TInterface> _createProxy;

    /// <summary>Describes an interface.</summary>
    /// <param name="typeName">The grain type name.</param>
    /// <param name="createProxy">Makes a proxy that implements the interface by calling through a reference.</param>
    /// <param name="methods">Every method of the interface.</param>
    public GrainInterface(string typeName, Func<GrainReference, TInterface> createProxy, params GrainMethod[] methods)
        : base(typeof(TInterface), typeName, methods)
    {
        _createProxy = createProxy;
    }

    /// <summary>Makes a proxy for the grain behind <paramref name="reference"/>.</summary>
    public TInterface CreateProxy(GrainReference reference) => _createProxy(reference);
}
