namespace Woodpecker.Errors;

/// <summary>No entry exists at the position: it is past the end of the log, or names no segment.</summary>
public sealed class PositionNotFoundException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public PositionNotFoundException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.PositionNotFound, message, innerException)
    {
    }
}
