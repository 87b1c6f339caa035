namespace Woodpecker.Errors;

/// <summary>A concurrent change won a race; this operation changed nothing and may be retried.</summary>
public sealed class ConflictException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public ConflictException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.Conflict, message, innerException)
    {
    }
}
