namespace Woodpecker.Storage.Abstractions;

/// <summary>Kinds of billable storage requests (object storage prices them differently).</summary>
public enum StorageRequestKind
{
    /// <summary>Object upload.</summary>
    Put,

    /// <summary>Object or range download.</summary>
    Get,

    /// <summary>Existence check.</summary>
    Head,

    /// <summary>Listing.</summary>
    List,

    /// <summary>Deletion (one multi-object delete counts once).</summary>
    Delete,
}
