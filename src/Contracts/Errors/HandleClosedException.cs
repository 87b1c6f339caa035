namespace Woodpecker.Errors;

/// <summary>The writer, reader or client was closed, or failed earlier and cannot be used any more.</summary>
public sealed class HandleClosedException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public HandleClosedException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.HandleClosed, message, innerException)
    {
    }
}
