namespace Woodpecker.Errors;

/// <summary>A log name breaks the naming rules (see <see cref="Naming.LogNames"/>). Nothing was changed.</summary>
public sealed class InvalidLogNameException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public InvalidLogNameException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.InvalidLogName, message, innerException)
    {
    }
}
