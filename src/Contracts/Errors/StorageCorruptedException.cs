namespace Woodpecker.Errors;

/// <summary>Stored data failed its checksum or is malformed. No corrupt data was returned.</summary>
public sealed class StorageCorruptedException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public StorageCorruptedException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.StorageCorrupted, message, innerException)
    {
    }
}
