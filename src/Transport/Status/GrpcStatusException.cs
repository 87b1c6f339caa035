namespace Woodpecker.Transport;

/// <summary>
/// A gRPC call ended with a status other than OK. Server handlers throw it to end a call with that status (and extra
/// trailers); clients receive it for every non-OK outcome, connection failures included (<see cref="GrpcStatusCode.Unavailable"/>,
/// with the original exception inside, so a caller can tell a request that was never sent).
/// </summary>
public sealed class GrpcStatusException : Exception
{
    private static readonly IReadOnlyDictionary<string, string> NoTrailers = new Dictionary<string, string>();

    /// <summary>Creates the exception.</summary>
    public GrpcStatusException(GrpcStatusCode status, string detail, IReadOnlyDictionary<string, string>? trailers = null, Exception? inner = null)
        : base($"{status}: {detail}", inner)
    {
        Status = status;
        Detail = detail;
        Trailers = trailers ?? NoTrailers;
    }

    /// <summary>The status.</summary>
    public GrpcStatusCode Status { get; }

    /// <summary>The status message (grpc-message).</summary>
    public string Detail { get; }

    /// <summary>Trailers other than grpc-status and grpc-message (for example "wp-error-code").</summary>
    public IReadOnlyDictionary<string, string> Trailers { get; }
}
