namespace Woodpecker.Errors;

/// <summary>A log with that name exists already. Nothing was changed.</summary>
public sealed class LogAlreadyExistsException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public LogAlreadyExistsException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.LogAlreadyExists, message, innerException)
    {
    }
}
