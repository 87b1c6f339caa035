namespace Woodpecker.Metadata.Abstractions;

/// <summary>
/// An atomic compare-and-swap transaction, as in etcd: when every compare holds, the success operations run,
/// otherwise the failure operations; either way as one step at one new revision (if anything was written).
/// </summary>
public sealed class Txn
{
    /// <summary>Conditions, all of which must hold.</summary>
    public List<Compare> Compares { get; } = [];

    /// <summary>Operations when the conditions hold.</summary>
    public List<TxnOp> Success { get; } = [];

    /// <summary>Operations when they do not.</summary>
    public List<TxnOp> Failure { get; } = [];

    /// <summary>Adds conditions.</summary>
    public Txn If(params Compare[] compares)
    {
        Compares.AddRange(compares);
        return this;
    }

    /// <summary>Adds success operations.</summary>
    public Txn Then(params TxnOp[] ops)
    {
        Success.AddRange(ops);
        return this;
    }

    /// <summary>Adds failure operations.</summary>
    public Txn Else(params TxnOp[] ops)
    {
        Failure.AddRange(ops);
        return this;
    }
}

/// <summary>Result of a transaction.</summary>
/// <param name="Succeeded">True when the compares held and the success branch ran.</param>
/// <param name="Revision">The store revision after the transaction.</param>
/// <param name="Responses">One response per executed operation, in order; for gets, the key (or null when missing).</param>
public sealed record TxnResult(bool Succeeded, long Revision, IReadOnlyList<TxnOpResult> Responses);

/// <summary>Result of one transaction operation.</summary>
/// <param name="Found">For a get: the key, or null. For other operations: null.</param>
/// <param name="Deleted">For a delete: how many keys were removed.</param>
public sealed record TxnOpResult(KeyValue? Found, long Deleted);
