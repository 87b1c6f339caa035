using System.Collections.Concurrent;
using Woodpecker.Cluster.Membership;
using Woodpecker.Runtime;

namespace Woodpecker.Cluster.Directory;

/// <summary>
/// The caller's memory of where grains are active: a hint, never the truth. A wrong entry costs one redirect; entries
/// pointing at silos that left the view are dropped when the view changes. Small and bounded (16,384 entries): it holds
/// only grains placed somewhere other than where the placement function says (after a membership change) and recent
/// ones, and it must not make idle grains cost memory; when full it is cleared, and the next calls go through placement
/// and at most one redirect each, which refill it.
/// </summary>
internal sealed class DirectoryCache
{
    private readonly ConcurrentDictionary<GrainId, string> _owners = new();
    private readonly int _capacity;

    public DirectoryCache(int capacity = 16_384) => _capacity = capacity;

    public int Count => _owners.Count;

    public bool TryGet(GrainId grain, out string siloId) => _owners.TryGetValue(grain, out siloId!);

    public void Set(GrainId grain, string siloId)
    {
        if (_owners.Count >= _capacity)
        {
            _owners.Clear();
        }

        _owners[grain] = siloId;
    }

    public void Remove(GrainId grain) => _owners.TryRemove(grain, out _);

    public void Remove(GrainId grain, string siloId) => _owners.TryRemove(new KeyValuePair<GrainId, string>(grain, siloId));

    /// <summary>Drops every entry whose silo is not live in <paramref name="view"/>.</summary>
    public void Purge(MembershipView view)
    {
        foreach (var (grain, siloId) in _owners)
        {
            if (!view.Contains(siloId))
            {
                _owners.TryRemove(new KeyValuePair<GrainId, string>(grain, siloId));
            }
        }
    }
}
