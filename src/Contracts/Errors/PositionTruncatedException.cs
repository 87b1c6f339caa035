namespace Woodpecker.Errors;

/// <summary>The position lies at or below the log's truncation point; its entries are gone.</summary>
public sealed class PositionTruncatedException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public PositionTruncatedException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.PositionTruncated, message, innerException)
    {
    }
}
