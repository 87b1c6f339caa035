using Woodpecker.Errors;
using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Tests;

/// <summary>Wraps a store and, when told to, fails keep-alives as an unreachable store would (a simulated fault).</summary>
internal sealed class FaultInjectingMetadataStore : IMetadataStore
{
    private readonly IMetadataStore _inner;
    private volatile bool _failKeepAlives;
    private int _keepAlives;

    public FaultInjectingMetadataStore(IMetadataStore inner)
    {
        _inner = inner;
    }

    /// <summary>Keep-alives attempted so far.</summary>
    public int KeepAlives => Volatile.Read(ref _keepAlives);

    /// <summary>When true, keep-alives throw <see cref="MetadataUnavailableException"/> without reaching the store.</summary>
    public bool FailKeepAlives
    {
        get => _failKeepAlives;
        set => _failKeepAlives = value;
    }

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) => _inner.GetAsync(key, cancellationToken);

    public Task<RangeResult> RangeAsync(string prefix, string? startAfter = null, int limit = 0, CancellationToken cancellationToken = default) =>
        _inner.RangeAsync(prefix, startAfter, limit, cancellationToken);

    public Task<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default) => _inner.TxnAsync(txn, cancellationToken);

    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId = 0, CancellationToken cancellationToken = default) =>
        _inner.PutAsync(key, value, leaseId, cancellationToken);

    public Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

    public Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.DeletePrefixAsync(prefix, cancellationToken);

    public Task<LeaseGrant> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => _inner.GrantLeaseAsync(ttl, cancellationToken);

    public Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _keepAlives);
        return _failKeepAlives
            ? Task.FromException<TimeSpan>(new MetadataUnavailableException("Simulated fault: the metadata store is unreachable."))
            : _inner.KeepAliveAsync(leaseId, cancellationToken);
    }

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) => _inner.RevokeLeaseAsync(leaseId, cancellationToken);

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision = 0, CancellationToken cancellationToken = default) =>
        _inner.WatchAsync(prefix, fromRevision, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
