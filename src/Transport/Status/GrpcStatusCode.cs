namespace Woodpecker.Transport;

/// <summary>The gRPC status codes (the values on the wire, in the grpc-status trailer).</summary>
public enum GrpcStatusCode
{
    /// <summary>Success.</summary>
    OK = 0,

    /// <summary>The caller cancelled.</summary>
    Cancelled = 1,

    /// <summary>An error without a better code.</summary>
    Unknown = 2,

    /// <summary>The request is invalid whatever the system's state.</summary>
    InvalidArgument = 3,

    /// <summary>The deadline passed before the call completed.</summary>
    DeadlineExceeded = 4,

    /// <summary>Something requested was not found.</summary>
    NotFound = 5,

    /// <summary>What the call would create exists already.</summary>
    AlreadyExists = 6,

    /// <summary>The caller may not do this.</summary>
    PermissionDenied = 7,

    /// <summary>A limit was exceeded (message size, quota, queue).</summary>
    ResourceExhausted = 8,

    /// <summary>The system is not in the state the call needs.</summary>
    FailedPrecondition = 9,

    /// <summary>Aborted by a concurrency conflict; retry at a higher level.</summary>
    Aborted = 10,

    /// <summary>Out of the valid range.</summary>
    OutOfRange = 11,

    /// <summary>The method is not implemented or not supported.</summary>
    Unimplemented = 12,

    /// <summary>An invariant broke.</summary>
    Internal = 13,

    /// <summary>The service cannot be reached right now; usually transient.</summary>
    Unavailable = 14,

    /// <summary>Unrecoverable data loss or corruption.</summary>
    DataLoss = 15,

    /// <summary>No valid credentials.</summary>
    Unauthenticated = 16,
}
