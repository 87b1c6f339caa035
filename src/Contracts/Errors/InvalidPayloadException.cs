namespace Woodpecker.Errors;

/// <summary>A payload or its properties are empty, too large or malformed. Nothing was appended.</summary>
public sealed class InvalidPayloadException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public InvalidPayloadException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.InvalidPayload, message, innerException)
    {
    }
}
