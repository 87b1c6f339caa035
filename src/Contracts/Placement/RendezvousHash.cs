using System.Text;

namespace Woodpecker.Placement;

/// <summary>
/// Highest-random-weight (rendezvous) hashing: every key goes to the candidate with the highest weight
/// hash(candidate, key). Silos and clients compute it independently and agree, and when a silo leaves only the keys
/// it held move (each to its own next-best silo), so a membership change does not reshuffle the cluster.
/// The hash is a fixed function of the UTF-8 bytes (FNV-1a, then a 64-bit finalizer), never
/// <see cref="string.GetHashCode()"/>, which differs between processes.
/// </summary>
public static class RendezvousHash
{
    /// <summary>The index of the candidate that <paramref name="key"/> belongs to, or -1 when there is none.</summary>
    public static int Pick(string key, IReadOnlyList<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(candidates);
        var keyHash = Fnv1a(key, Offset);
        var best = -1;
        ulong bestWeight = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            var weight = Weight(keyHash, candidates[i]);
            if (best < 0 || weight > bestWeight || (weight == bestWeight && string.CompareOrdinal(candidates[i], candidates[best]) < 0))
            {
                best = i;
                bestWeight = weight;
            }
        }

        return best;
    }

    /// <summary>The candidates ordered by weight for <paramref name="key"/>, best first (for replica groups and fallbacks).</summary>
    public static IReadOnlyList<int> Rank(string key, IReadOnlyList<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(candidates);
        var keyHash = Fnv1a(key, Offset);
        var order = Enumerable.Range(0, candidates.Count).ToArray();
        var weights = order.Select(i => Weight(keyHash, candidates[i])).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var byWeight = weights[b].CompareTo(weights[a]);
            return byWeight != 0 ? byWeight : string.CompareOrdinal(candidates[a], candidates[b]);
        });
        return order;
    }

    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    private static ulong Weight(ulong keyHash, string candidate) => Mix(Fnv1a(candidate, keyHash));

    private static ulong Fnv1a(string text, ulong hash)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }

    // SplitMix64's finalizer: FNV alone weighs the last bytes too little for a fair spread of similar names.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
