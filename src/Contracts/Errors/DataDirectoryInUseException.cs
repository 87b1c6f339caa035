namespace Woodpecker.Errors;

/// <summary>Another process has the embedded data directory open; only one process may use it at a time.</summary>
public sealed class DataDirectoryInUseException : WoodpeckerException
{
    /// <summary>Creates the exception.</summary>
    public DataDirectoryInUseException(string message, Exception? innerException = null)
        : base(WoodpeckerErrorCode.DataDirectoryInUse, message, innerException)
    {
    }
}
