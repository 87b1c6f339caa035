using Woodpecker.Cluster.Membership;
using Woodpecker.Runtime;

namespace Woodpecker.Cluster.Placement;

/// <summary>
/// Chooses the silo for a new activation. Runs on the calling side, before the call is sent; the directory still has
/// the last word (a silo that loses the claim redirects), so a strategy only needs to be good, not consistent.
/// </summary>
public interface IPlacementStrategy
{
    /// <summary>The silo to activate <paramref name="grain"/> on; null when the view has no silo.</summary>
    SiloInfo? Place(GrainId grain, MembershipView view, SiloInfo caller);
}
