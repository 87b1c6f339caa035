namespace Woodpecker.Errors;

/// <summary>The log does not exist (it was never created, or it was deleted).</summary>
public sealed class LogNotFoundException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public LogNotFoundException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.LogNotFound, message, innerException)
    {
    }
}
