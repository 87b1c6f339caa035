using Google.Protobuf;
using Woodpecker.Cluster.Membership;
using Woodpecker.Cluster.Protocol;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Runtime;
using Woodpecker.Runtime.Directory;

namespace Woodpecker.Cluster.Directory;

/// <summary>
/// The grain directory in etcd. An activation exists only after a transaction created its ownership key
/// (<c>create_revision == 0</c>), bound to the silo's lease; the key's create revision is the activation's epoch, so a
/// newer activation always has a larger one. Concurrent claims end with one winner; the losers learn the owner and
/// redirect to it. A crashed silo's entries vanish with its lease.
/// </summary>
#pragma warning disable CA1001 // The semaphore never allocates a wait handle; the directory lives as long as its silo.
public sealed class EtcdGrainDirectory : IGrainDirectory
#pragma warning restore CA1001
{
    private readonly IMetadataStore _store;
    private readonly ClusterMembership _membership;
    private readonly ClusterOptions _options;
    private readonly byte[] _ownRecord;

    // Thousands of grains activating or going idle at once must not become thousands of concurrent etcd requests: they
    // would starve the silo's own lease renewals (which share etcd and this process's threads) until it steps down.
    private readonly SemaphoreSlim _inFlight;

    /// <summary>Creates the directory of the silo behind <paramref name="membership"/>.</summary>
    public EtcdGrainDirectory(IMetadataStore store, ClusterMembership membership, ClusterOptions options)
    {
        _store = store;
        _membership = membership;
        _options = options;
        _ownRecord = new DirectoryRecord { SiloId = membership.LocalSilo.SiloId }.ToByteArray();
        _inFlight = new SemaphoreSlim(options.MaxDirectoryRequestsInFlight, options.MaxDirectoryRequestsInFlight);
    }

    /// <inheritdoc />
    public async Task<long> RegisterAsync(GrainId grain, CancellationToken cancellationToken)
    {
        if (!_membership.IsServing)
        {
            throw new InvalidOperationException($"Silo {_membership.LocalSilo.SiloId} is not serving (it left the cluster or lost its lease); it cannot activate {grain}.");
        }

        var key = KeyOf(grain);
        var result = await WithTimeout(
            token => _store.TxnAsync(
                new Txn().If(Compare.Missing(key)).Then(TxnOp.Put(key, _ownRecord, _membership.LeaseId)).Else(TxnOp.Get(key)),
                token),
            cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            // The put created the key in this transaction, so its create revision is the transaction's revision.
            return result.Revision;
        }

        var existing = result.Responses.Count > 0 ? result.Responses[0].Found : null;
        if (existing is null)
        {
            // Deleted between the compare and the read: nobody owns it now; the caller retries.
            throw new GrainNotOwnedHereException(grain, "", 0);
        }

        var owner = DirectoryRecord.Parser.ParseFrom(existing.Value.Span).SiloId;
        if (owner == _membership.LocalSilo.SiloId && existing.LeaseId == _membership.LeaseId)
        {
            // Our own entry, left by an activation of this silo whose unregistration failed: take it over with its epoch.
            return existing.CreateRevision;
        }

        throw new GrainNotOwnedHereException(grain, owner, existing.CreateRevision);
    }

    /// <inheritdoc />
    public async Task UnregisterAsync(GrainId grain, long epoch, CancellationToken cancellationToken)
    {
        var key = KeyOf(grain);
        await WithTimeout(
            token => _store.TxnAsync(
                new Txn().If(new Compare(key, CompareTarget.CreateRevision, CompareOperator.Equal, epoch)).Then(TxnOp.Delete(key)),
                token),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public string FenceKey(GrainId grain) => KeyOf(grain);

    /// <summary>The silo holding <paramref name="grain"/>'s activation and its epoch, or null when none does.</summary>
    public async Task<(string SiloId, long Epoch)?> LookupAsync(GrainId grain, CancellationToken cancellationToken)
    {
        var found = await WithTimeout(token => _store.GetAsync(KeyOf(grain), token), cancellationToken).ConfigureAwait(false);
        return found is null ? null : (DirectoryRecord.Parser.ParseFrom(found.Value.Span).SiloId, found.CreateRevision);
    }

    private string KeyOf(GrainId grain) => $"{_options.DirectoryPrefix}{grain.Type}/{grain.Key}";

    private async Task<T> WithTimeout<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        // Waiting for a slot is bounded by the caller's token (the activation or deactivation timeout); the request itself
        // by the metadata timeout.
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.MetadataTimeout);
            return await call(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
