namespace Woodpecker.Errors;

/// <summary>The metadata store failed or could not be reached.</summary>
public sealed class MetadataUnavailableException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public MetadataUnavailableException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.MetadataUnavailable, message, innerException)
    {
    }
}
