namespace Woodpecker.Errors;

/// <summary>
/// Stable error codes. They travel over the wire (gRPC trailer "wp-error-code") so that every client, in any
/// language, can tell errors apart; never renumber them.
/// </summary>
public enum WoodpeckerErrorCode
{
    /// <summary>An error without a more specific code.</summary>
    Internal = 0,

    /// <summary>An argument is out of range or malformed.</summary>
    InvalidArgument = 1,

    /// <summary>A log name breaks the naming rules.</summary>
    InvalidLogName = 2,

    /// <summary>A payload or its properties are empty, too large or malformed.</summary>
    InvalidPayload = 3,

    /// <summary>The log does not exist.</summary>
    LogNotFound = 4,

    /// <summary>A log with that name exists already.</summary>
    LogAlreadyExists = 5,

    /// <summary>A newer writer opened the log; this writer can never append again.</summary>
    WriterFenced = 6,

    /// <summary>The writer, reader or client was closed, or failed earlier and cannot be used.</summary>
    HandleClosed = 7,

    /// <summary>No entry exists at that position (it is past the end or in no segment).</summary>
    PositionNotFound = 8,

    /// <summary>The position was truncated away.</summary>
    PositionTruncated = 9,

    /// <summary>Stored data failed its checksum or is malformed.</summary>
    StorageCorrupted = 10,

    /// <summary>The storage backend failed or could not be reached.</summary>
    StorageUnavailable = 11,

    /// <summary>The metadata store failed or could not be reached.</summary>
    MetadataUnavailable = 12,

    /// <summary>A concurrent change won a race; the operation changed nothing and may be retried.</summary>
    Conflict = 13,

    /// <summary>The operation did not finish in time; it may or may not have taken effect.</summary>
    Timeout = 14,

    /// <summary>The service (or the silo owning the log) cannot be reached right now.</summary>
    Unavailable = 15,

    /// <summary>Another process has the embedded data directory open.</summary>
    DataDirectoryInUse = 16,

    /// <summary>Too much work is waiting; slow down and retry.</summary>
    Overloaded = 17,
}
