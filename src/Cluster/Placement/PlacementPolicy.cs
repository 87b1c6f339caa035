using Woodpecker.Runtime;

namespace Woodpecker.Cluster.Placement;

/// <summary>Which strategy places each grain type; types without an entry use the default (hash on the grain key).</summary>
public sealed class PlacementPolicy
{
    private readonly Dictionary<string, IPlacementStrategy> _byType = new(StringComparer.Ordinal);

    /// <summary>The strategy for types not configured otherwise.</summary>
    public IPlacementStrategy Default { get; init; } = new HashPlacement();

    /// <summary>Uses <paramref name="strategy"/> for grains of <paramref name="grainType"/>.</summary>
    public PlacementPolicy Use(string grainType, IPlacementStrategy strategy)
    {
        _byType[grainType] = strategy;
        return this;
    }

    /// <summary>The strategy for <paramref name="grain"/>.</summary>
    public IPlacementStrategy For(GrainId grain) => _byType.GetValueOrDefault(grain.Type) ?? Default;
}
