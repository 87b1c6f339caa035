namespace Woodpecker.Metadata.Abstractions;

/// <summary>
/// A key-value store with etcd v3 semantics. Every write increments one store-wide revision; every key records its
/// create revision, mod revision and version; transactions compare and write atomically; keys may be bound to
/// leases that expire unless kept alive; watches report every change after a revision, in revision order.
/// Both implementations (embedded SQLite and etcd) pass the same contract test suite.
/// </summary>
/// <remarks>
/// Every method takes a cancellation token and applies the store's own per-call timeout. Failures to reach or use
/// the store throw <see cref="Errors.MetadataUnavailableException"/>; a transaction whose compares fail is not an
/// error (<see cref="TxnResult.Succeeded"/> is false).
/// </remarks>
public interface IMetadataStore : IAsyncDisposable
{
    /// <summary>Reads one key; null when missing.</summary>
    Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads keys starting with <paramref name="prefix"/>, in ascending order, after <paramref name="startAfter"/> (exclusive) when given.</summary>
    /// <param name="prefix">Key prefix; empty for every key.</param>
    /// <param name="startAfter">Return only keys greater than this one; null to start at the prefix.</param>
    /// <param name="limit">Most keys to return; 0 for no limit.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<RangeResult> RangeAsync(string prefix, string? startAfter = null, int limit = 0, CancellationToken cancellationToken = default);

    /// <summary>Runs a transaction atomically.</summary>
    Task<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default);

    /// <summary>Writes a key (bound to a lease when <paramref name="leaseId"/> is non-zero); returns the new revision.</summary>
    Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes one key; returns how many keys were deleted (0 or 1).</summary>
    Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes every key starting with <paramref name="prefix"/>; returns how many.</summary>
    Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Grants a lease that lives <paramref name="ttl"/> unless kept alive.</summary>
    Task<LeaseGrant> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Renews a lease for its full TTL; returns the TTL granted.</summary>
    /// <exception cref="LeaseNotFoundException">The lease expired or was revoked.</exception>
    Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Revokes a lease and deletes the keys bound to it. Revoking an unknown lease is not an error.</summary>
    Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every change to keys starting with <paramref name="prefix"/> at revisions ≥ <paramref name="fromRevision"/>
    /// (0: changes after now), in revision order, until cancelled. Implementations resume transparently after broken
    /// connections.
    /// </summary>
    /// <exception cref="WatchCompactedException">The history for <paramref name="fromRevision"/> is gone.</exception>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision = 0, CancellationToken cancellationToken = default);
}
