namespace Woodpecker.Metadata.Abstractions;

/// <summary>An operation inside a transaction, as in etcd's RequestOp.</summary>
public abstract record TxnOp
{
    private protected TxnOp()
    {
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>, bound to <paramref name="leaseId"/> when non-zero.</summary>
    public static TxnOp Put(string key, ReadOnlyMemory<byte> value, long leaseId = 0) => new PutOp(key, value, leaseId);

    /// <summary>Deletes one key.</summary>
    public static TxnOp Delete(string key) => new DeleteOp(key, IsPrefix: false);

    /// <summary>Deletes every key starting with <paramref name="prefix"/>.</summary>
    public static TxnOp DeletePrefix(string prefix) => new DeleteOp(prefix, IsPrefix: true);

    /// <summary>Reads one key.</summary>
    public static TxnOp Get(string key) => new GetOp(key);
}

/// <summary>Put operation.</summary>
public sealed record PutOp(string Key, ReadOnlyMemory<byte> Value, long LeaseId) : TxnOp;

/// <summary>Delete operation (one key, or a prefix).</summary>
public sealed record DeleteOp(string Key, bool IsPrefix) : TxnOp;

/// <summary>Get operation.</summary>
public sealed record GetOp(string Key) : TxnOp;
