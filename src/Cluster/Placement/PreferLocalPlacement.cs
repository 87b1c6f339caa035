using Woodpecker.Cluster.Membership;
using Woodpecker.Runtime;

namespace Woodpecker.Cluster.Placement;

/// <summary>
/// Places a grain on the calling silo when it is live (otherwise by hash). Segment grains use it: their first caller
/// is their log's grain or writer session, so a log's active segment lives next to them and an append does not cross
/// the network twice.
/// </summary>
public sealed class PreferLocalPlacement : IPlacementStrategy
{
    private readonly HashPlacement _fallback = new();

    /// <inheritdoc />
    public SiloInfo? Place(GrainId grain, MembershipView view, SiloInfo caller) =>
        view.Find(caller.SiloId) ?? _fallback.Place(grain, view, caller);
}
