namespace Woodpecker.Storage.Abstractions;

/// <summary>
/// Requests sent to a storage backend (every attempt, retries included: each one is billed). Thread-safe counters.
/// </summary>
public sealed class StorageRequestCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<StorageRequestKind>().Length];

    /// <summary>Object uploads.</summary>
    public long Puts => Get(StorageRequestKind.Put);

    /// <summary>Downloads.</summary>
    public long Gets => Get(StorageRequestKind.Get);

    /// <summary>Existence checks.</summary>
    public long Heads => Get(StorageRequestKind.Head);

    /// <summary>Listings.</summary>
    public long Lists => Get(StorageRequestKind.List);

    /// <summary>Deletions.</summary>
    public long Deletes => Get(StorageRequestKind.Delete);

    /// <summary>All requests.</summary>
    public long Total => _counts.Sum();

    /// <summary>The count of one kind.</summary>
    public long Get(StorageRequestKind kind) => Interlocked.Read(ref _counts[(int)kind]);

    /// <summary>Counts one request.</summary>
    public void Add(StorageRequestKind kind) => Interlocked.Increment(ref _counts[(int)kind]);

    /// <summary>
    /// What these requests cost at S3 Standard list prices (us-east-1: $0.005 per 1,000 PUT, COPY, POST and LIST
    /// requests; $0.0004 per 1,000 GET and other requests; DELETE is free).
    /// </summary>
    public double EstimatedCostUsd => ((Puts + Lists) * 0.005 / 1000) + ((Gets + Heads) * 0.0004 / 1000);

    /// <inheritdoc />
    public override string ToString() => $"PUT {Puts}, GET {Gets}, HEAD {Heads}, LIST {Lists}, DELETE {Deletes}";
}
