namespace Woodpecker.Storage.Format;

/// <summary>An entry decoded from storage. It owns its payload array.</summary>
/// <param name="EntryId">The entry's id within its segment.</param>
/// <param name="Payload">The payload bytes.</param>
/// <param name="Properties">The properties, or null when the entry had none.</param>
public sealed record StoredEntry(long EntryId, byte[] Payload, IReadOnlyDictionary<string, string>? Properties);
