using Woodpecker.Cluster.Membership;
using Woodpecker.Runtime;

namespace Woodpecker.Cluster.Placement;

/// <summary>
/// Places a grain on the less loaded of two random silos, by the activation counts silos publish ("power of two
/// choices"): nearly as even as always taking the minimum, without every caller piling onto the same silo between
/// two load reports.
/// </summary>
public sealed class LeastLoadedPlacement : IPlacementStrategy
{
    /// <inheritdoc />
    public SiloInfo? Place(GrainId grain, MembershipView view, SiloInfo caller)
    {
        var silos = view.Silos;
        if (silos.Count <= 1)
        {
            return silos.Count == 0 ? null : silos[0];
        }

        var first = silos[Random.Shared.Next(silos.Count)];
        var second = silos[Random.Shared.Next(silos.Count - 1)];
        if (ReferenceEquals(second, first))
        {
            second = silos[^1];
        }

        return second.Activations < first.Activations ? second : first;
    }
}
