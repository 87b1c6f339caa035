namespace Woodpecker.Metadata.Abstractions;

/// <summary>Kind of change a watch reports.</summary>
public enum WatchEventKind
{
    /// <summary>A key was created or changed.</summary>
    Put,

    /// <summary>A key was deleted (explicitly or because its lease expired).</summary>
    Delete,
}

/// <summary>One change reported by a watch.</summary>
/// <param name="Kind">Put or delete.</param>
/// <param name="Item">The key after the change (for deletes: key and mod revision of the deletion, empty value).</param>
public sealed record WatchEvent(WatchEventKind Kind, KeyValue Item);
