namespace Woodpecker.Client;

/// <summary>What a log is.</summary>
/// <param name="Name">The log's name.</param>
/// <param name="LogId">The numeric id the service assigned at creation (a re-created log gets a new one).</param>
/// <param name="CreatedAt">When the log was created.</param>
/// <param name="TruncatedTo">Entries at or below this position are truncated; null when nothing was.</param>
public sealed record LogDescription(string Name, long LogId, DateTimeOffset CreatedAt, LogPosition? TruncatedTo);
