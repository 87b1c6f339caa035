namespace Woodpecker.Errors;

/// <summary>Too much work is waiting; slow down and retry.</summary>
public sealed class OverloadedException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public OverloadedException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.Overloaded, message, innerException)
    {
    }
}
