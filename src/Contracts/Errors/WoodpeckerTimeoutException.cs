namespace Woodpecker.Errors;

/// <summary>The operation did not finish in time; it may or may not have taken effect.</summary>
public sealed class WoodpeckerTimeoutException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public WoodpeckerTimeoutException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.Timeout, message, innerException)
    {
    }
}
