using Woodpecker.Cluster.Membership;
using Woodpecker.Placement;
using Woodpecker.Runtime;

namespace Woodpecker.Cluster.Placement;

/// <summary>
/// Places a grain on the silo that rendezvous hashing picks for its placement key (the grain key unless a selector
/// maps it). Every silo and client agrees without talking, and a membership change moves only the grains of the silo
/// that came or went. Clients use the same function to send a log's calls straight to its silo.
/// </summary>
public sealed class HashPlacement : IPlacementStrategy
{
    private readonly Func<GrainId, string> _placementKey;

    /// <summary>Creates the strategy; <paramref name="placementKey"/> defaults to the grain key.</summary>
    public HashPlacement(Func<GrainId, string>? placementKey = null) => _placementKey = placementKey ?? (grain => grain.Key);

    /// <inheritdoc />
    public SiloInfo? Place(GrainId grain, MembershipView view, SiloInfo caller)
    {
        var index = RendezvousHash.Pick(_placementKey(grain), view.SiloIds);
        return index < 0 ? null : view.Silos[index];
    }
}
