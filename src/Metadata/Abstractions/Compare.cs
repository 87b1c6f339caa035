namespace Woodpecker.Metadata.Abstractions;

/// <summary>What a transaction compare looks at.</summary>
public enum CompareTarget
{
    /// <summary>The value bytes (a missing key compares as never equal).</summary>
    Value,

    /// <summary>The key's version (0 for a missing key).</summary>
    Version,

    /// <summary>The key's create revision (0 for a missing key).</summary>
    CreateRevision,

    /// <summary>The key's mod revision (0 for a missing key).</summary>
    ModRevision,
}

/// <summary>How a compare relates the stored and the given value.</summary>
public enum CompareOperator
{
    /// <summary>Stored equals given.</summary>
    Equal,

    /// <summary>Stored differs from given.</summary>
    NotEqual,

    /// <summary>Stored is greater than given.</summary>
    Greater,

    /// <summary>Stored is less than given.</summary>
    Less,
}

/// <summary>One condition of a transaction, as in etcd's Compare.</summary>
public sealed record Compare(string Key, CompareTarget Target, CompareOperator Operator, long Number = 0, ReadOnlyMemory<byte> Value = default)
{
    /// <summary>The key does not exist.</summary>
    public static Compare Missing(string key) => new(key, CompareTarget.CreateRevision, CompareOperator.Equal, 0);

    /// <summary>The key exists.</summary>
    public static Compare Exists(string key) => new(key, CompareTarget.CreateRevision, CompareOperator.Greater, 0);

    /// <summary>The key was last modified at <paramref name="revision"/> (0: the key does not exist).</summary>
    public static Compare ModRevisionIs(string key, long revision) => new(key, CompareTarget.ModRevision, CompareOperator.Equal, revision);

    /// <summary>The key's value equals <paramref name="value"/>.</summary>
    public static Compare ValueIs(string key, ReadOnlyMemory<byte> value) => new(key, CompareTarget.Value, CompareOperator.Equal, Value: value);
}
