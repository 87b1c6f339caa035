namespace Woodpecker.Errors;

/// <summary>The service, or the silo owning the log, cannot be reached right now; retry later.</summary>
public sealed class ServiceUnavailableException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public ServiceUnavailableException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.Unavailable, message, innerException)
    {
    }
}
