using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>Every event of one store revision, in the order the transaction made the changes.</summary>
internal sealed record RevisionBatch(long Revision, IReadOnlyList<WatchEvent> Events);
