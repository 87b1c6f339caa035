namespace Woodpecker.Etcd;

/// <summary>etcd answered with an error, or could not be reached within the call's bounds.</summary>
public sealed class EtcdException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EtcdException(string message, EtcdErrorKind kind, int grpcCode = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        GrpcCode = grpcCode;
    }

    /// <summary>What kind of failure this is.</summary>
    public EtcdErrorKind Kind { get; }

    /// <summary>The gRPC status code etcd reported (0 when the failure was in the transport).</summary>
    public int GrpcCode { get; }
}

/// <summary>Kinds of etcd failures the callers treat differently.</summary>
public enum EtcdErrorKind
{
    /// <summary>No endpoint could be reached, or the call timed out; a write may or may not have been applied.</summary>
    Unavailable,

    /// <summary>The lease does not exist (expired or revoked).</summary>
    LeaseNotFound,

    /// <summary>The requested revision was compacted away.</summary>
    Compacted,

    /// <summary>Authentication failed or the user lacks permission.</summary>
    Unauthorized,

    /// <summary>etcd refused the request as invalid.</summary>
    InvalidRequest,

    /// <summary>Any other server error.</summary>
    Server,
}
