namespace Woodpecker.Errors;

/// <summary>The storage backend failed or could not be reached.</summary>
public sealed class StorageUnavailableException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.StorageUnavailable, message, innerException)
    {
    }
}
