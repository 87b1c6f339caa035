using Woodpecker.Cluster.Membership;
using Woodpecker.Placement;

namespace Woodpecker.Cluster.Placement;

/// <summary>
/// Places a group of grains that must not share a failure domain — a segment's leader and its replicas — on distinct
/// silos, and on distinct zones first when silos declare zones. Deterministic for a group key, so every caller that
/// places the same group agrees.
/// </summary>
public static class GroupPlacement
{
    /// <summary>
    /// <paramref name="count"/> distinct silos for <paramref name="groupKey"/>: one per zone in hash order while zones
    /// last, then the remaining silos in hash order.
    /// </summary>
    /// <exception cref="InvalidOperationException">The view has fewer than <paramref name="count"/> silos.</exception>
    public static IReadOnlyList<SiloInfo> PlaceDistinct(string groupKey, int count, MembershipView view)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (view.Silos.Count < count)
        {
            throw new InvalidOperationException(
                $"Placing {count} replicas of '{groupKey}' on distinct silos needs at least {count} live silos; the cluster has {view.Silos.Count}.");
        }

        var ranked = RendezvousHash.Rank(groupKey, view.SiloIds).Select(i => view.Silos[i]).ToList();
        var chosen = new List<SiloInfo>(count);
        var usedZones = new HashSet<string>(StringComparer.Ordinal);
        foreach (var silo in ranked)
        {
            if (chosen.Count == count)
            {
                break;
            }

            if (silo.Zone.Length > 0 && usedZones.Add(silo.Zone))
            {
                chosen.Add(silo);
            }
        }

        foreach (var silo in ranked)
        {
            if (chosen.Count == count)
            {
                break;
            }

            if (!chosen.Contains(silo))
            {
                chosen.Add(silo);
            }
        }

        return chosen;
    }
}
