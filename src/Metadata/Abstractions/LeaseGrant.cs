namespace Woodpecker.Metadata.Abstractions;

/// <summary>A granted lease.</summary>
/// <param name="Id">The lease id (never 0).</param>
/// <param name="Ttl">The time to live the store granted.</param>
public sealed record LeaseGrant(long Id, TimeSpan Ttl);
