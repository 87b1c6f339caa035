using Woodpecker.Cluster.Membership;
using Woodpecker.Runtime;

namespace Woodpecker.Cluster.Placement;

/// <summary>Places a grain on a uniformly random live silo (Orleans' default).</summary>
public sealed class RandomPlacement : IPlacementStrategy
{
    /// <inheritdoc />
    public SiloInfo? Place(GrainId grain, MembershipView view, SiloInfo caller) =>
        view.Silos.Count == 0 ? null : view.Silos[Random.Shared.Next(view.Silos.Count)];
}
