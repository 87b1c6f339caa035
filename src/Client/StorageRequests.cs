namespace Woodpecker.Client;

/// <summary>Storage requests made for one log by the silo serving it (every attempt is counted: each is billed).</summary>
/// <param name="Puts">Object uploads.</param>
/// <param name="Gets">Downloads.</param>
/// <param name="Heads">Existence checks.</param>
/// <param name="Lists">Listings.</param>
/// <param name="Deletes">Deletions.</param>
/// <param name="EstimatedCostUsd">Their cost at S3 Standard list prices ($0.005 per 1,000 PUT/LIST, $0.0004 per 1,000 GET/HEAD).</param>
public sealed record StorageRequests(long Puts, long Gets, long Heads, long Lists, long Deletes, double EstimatedCostUsd);
