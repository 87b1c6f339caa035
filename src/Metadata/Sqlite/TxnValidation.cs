using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// Checks a transaction before it is queued, as etcd does: keys must be valid, and within one branch a key may not
/// be put twice, nor put and deleted (etcd: "duplicate key given in txn request"). Deleting a key twice is allowed.
/// </summary>
internal static class TxnValidation
{
    public static void Validate(Txn txn)
    {
        ArgumentNullException.ThrowIfNull(txn);
        foreach (var compare in txn.Compares)
        {
            ArgumentNullException.ThrowIfNull(compare, nameof(txn));
            KeyCodec.EncodeKey(compare.Key, nameof(txn));
            if (!Enum.IsDefined(compare.Target) || !Enum.IsDefined(compare.Operator))
            {
                throw new ArgumentException($"Compare on '{compare.Key}' has an unknown target or operator.", nameof(txn));
            }
        }

        ValidateBranch(txn.Success, "success", nameof(txn));
        ValidateBranch(txn.Failure, "failure", nameof(txn));
    }

    private static void ValidateBranch(List<TxnOp> ops, string branch, string paramName)
    {
        HashSet<string>? puts = null;
        List<DeleteOp>? deletes = null;
        foreach (var op in ops)
        {
            switch (op)
            {
                case PutOp put:
                    KeyCodec.EncodeKey(put.Key, paramName);
                    if (!(puts ??= new HashSet<string>(StringComparer.Ordinal)).Add(put.Key))
                    {
                        throw Duplicate(put.Key, branch, paramName);
                    }

                    break;
                case DeleteOp delete:
                    if (delete.IsPrefix)
                    {
                        KeyCodec.EncodePrefix(delete.Key, paramName);
                    }
                    else
                    {
                        KeyCodec.EncodeKey(delete.Key, paramName);
                    }

                    (deletes ??= []).Add(delete);
                    break;
                case GetOp get:
                    KeyCodec.EncodeKey(get.Key, paramName);
                    break;
                default:
                    throw new ArgumentException($"Transaction {branch} branch holds an unknown or null operation.", paramName);
            }
        }

        if (puts is null || deletes is null)
        {
            return;
        }

        foreach (var delete in deletes)
        {
            foreach (var key in puts)
            {
                if (delete.IsPrefix ? KeyCodec.HasPrefix(key, delete.Key) : string.Equals(key, delete.Key, StringComparison.Ordinal))
                {
                    throw Duplicate(key, branch, paramName);
                }
            }
        }
    }

    private static ArgumentException Duplicate(string key, string branch, string paramName) =>
        new($"The transaction's {branch} branch writes key '{key}' more than once (put twice, or put and deleted); like etcd (\"duplicate key given in txn request\"), the store rejects it. Write each key once per transaction.", paramName);
}
