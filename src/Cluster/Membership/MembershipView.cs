namespace Woodpecker.Cluster.Membership;

/// <summary>An immutable snapshot of the live silos, ordered by id, as of an etcd revision.</summary>
public sealed class MembershipView
{
    private readonly Dictionary<string, SiloInfo> _byId;

    /// <summary>Creates a view.</summary>
    public MembershipView(long revision, IEnumerable<SiloInfo> silos)
    {
        Revision = revision;
        Silos = silos.OrderBy(s => s.SiloId, StringComparer.Ordinal).ToArray();
        SiloIds = Silos.Select(s => s.SiloId).ToArray();
        _byId = Silos.ToDictionary(s => s.SiloId, StringComparer.Ordinal);
    }

    /// <summary>The empty view.</summary>
    public static MembershipView Empty { get; } = new(0, []);

    /// <summary>etcd revision the view reflects.</summary>
    public long Revision { get; }

    /// <summary>Live silos by id.</summary>
    public IReadOnlyList<SiloInfo> Silos { get; }

    /// <summary>Their ids, in the same order (what placement hashes over).</summary>
    public IReadOnlyList<string> SiloIds { get; }

    /// <summary>True when the silo is live in this view.</summary>
    public bool Contains(string siloId) => _byId.ContainsKey(siloId);

    /// <summary>The silo, or null when it is not live.</summary>
    public SiloInfo? Find(string siloId) => _byId.GetValueOrDefault(siloId);
}
