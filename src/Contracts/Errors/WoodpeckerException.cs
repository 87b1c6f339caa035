namespace Woodpecker.Errors;

/// <summary>
/// Base of every error the log service reports. <see cref="ErrorCode"/> identifies the kind of error; the message
/// says what went wrong and what to do about it.
/// </summary>
public class WoodpeckerException : Exception
{
    /// <summary>Creates an exception with a code.</summary>
    public WoodpeckerException(WoodpeckerErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The kind of error.</summary>
    public WoodpeckerErrorCode ErrorCode { get; }

    /// <summary>True when retrying the same operation later may succeed.</summary>
    public bool IsTransient => ErrorCode is WoodpeckerErrorCode.StorageUnavailable or WoodpeckerErrorCode.MetadataUnavailable
        or WoodpeckerErrorCode.Conflict or WoodpeckerErrorCode.Timeout or WoodpeckerErrorCode.Unavailable
        or WoodpeckerErrorCode.Overloaded;

    /// <summary>Recreates the typed exception for a code received from elsewhere (another silo, the wire).</summary>
    public static WoodpeckerException FromCode(WoodpeckerErrorCode code, string message, Exception? innerException = null) => code switch
    {
        WoodpeckerErrorCode.InvalidLogName => new InvalidLogNameException(message, innerException),
        WoodpeckerErrorCode.InvalidPayload => new InvalidPayloadException(message, innerException),
        WoodpeckerErrorCode.LogNotFound => new LogNotFoundException(message, innerException),
        WoodpeckerErrorCode.LogAlreadyExists => new LogAlreadyExistsException(message, innerException),
        WoodpeckerErrorCode.WriterFenced => new WriterFencedException(message, innerException),
        WoodpeckerErrorCode.HandleClosed => new HandleClosedException(message, innerException),
        WoodpeckerErrorCode.PositionNotFound => new PositionNotFoundException(message, innerException),
        WoodpeckerErrorCode.PositionTruncated => new PositionTruncatedException(message, innerException),
        WoodpeckerErrorCode.StorageCorrupted => new StorageCorruptedException(message, innerException),
        WoodpeckerErrorCode.StorageUnavailable => new StorageUnavailableException(message, innerException),
        WoodpeckerErrorCode.MetadataUnavailable => new MetadataUnavailableException(message, innerException),
        WoodpeckerErrorCode.Conflict => new ConflictException(message, innerException),
        WoodpeckerErrorCode.Timeout => new WoodpeckerTimeoutException(message, innerException),
        WoodpeckerErrorCode.Unavailable => new ServiceUnavailableException(message, innerException),
        WoodpeckerErrorCode.DataDirectoryInUse => new DataDirectoryInUseException(message, innerException),
        WoodpeckerErrorCode.Overloaded => new OverloadedException(message, innerException),
        _ => new WoodpeckerException(code, message, innerException),
    };
}
