namespace Woodpecker.Errors;

/// <summary>A newer writer opened the log, so this writer was fenced: none of its later appends can be acknowledged. Open a new writer if this process should write again.</summary>
public sealed class WriterFencedException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public WriterFencedException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.WriterFenced, message, innerException)
    {
    }
}
