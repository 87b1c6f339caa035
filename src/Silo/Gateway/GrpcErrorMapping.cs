using System.Globalization;
using Woodpecker.Errors;
using Woodpecker.Transport;

namespace Woodpecker.Silo.Gateway;

/// <summary>
/// The one mapping between Woodpecker's typed errors and gRPC statuses, used by the gateway (error → status, with the
/// exact error code in the "wp-error-code" trailer) and by the cluster client (status → the same typed error).
/// </summary>
public static class GrpcErrorMapping
{
    /// <summary>The trailer carrying the numeric <see cref="WoodpeckerErrorCode"/>.</summary>
    public const string ErrorCodeTrailer = "wp-error-code";

    /// <summary>The gRPC status for a Woodpecker error code.</summary>
    public static GrpcStatusCode StatusOf(WoodpeckerErrorCode code) => code switch
    {
        WoodpeckerErrorCode.InvalidLogName or WoodpeckerErrorCode.InvalidPayload or WoodpeckerErrorCode.InvalidArgument => GrpcStatusCode.InvalidArgument,
        WoodpeckerErrorCode.LogNotFound or WoodpeckerErrorCode.PositionNotFound => GrpcStatusCode.NotFound,
        WoodpeckerErrorCode.LogAlreadyExists => GrpcStatusCode.AlreadyExists,
        WoodpeckerErrorCode.WriterFenced or WoodpeckerErrorCode.HandleClosed => GrpcStatusCode.FailedPrecondition,
        WoodpeckerErrorCode.PositionTruncated => GrpcStatusCode.OutOfRange,
        WoodpeckerErrorCode.Unavailable or WoodpeckerErrorCode.StorageUnavailable or WoodpeckerErrorCode.MetadataUnavailable => GrpcStatusCode.Unavailable,
        WoodpeckerErrorCode.Timeout => GrpcStatusCode.DeadlineExceeded,
        WoodpeckerErrorCode.Overloaded => GrpcStatusCode.ResourceExhausted,
        WoodpeckerErrorCode.Conflict => GrpcStatusCode.Aborted,
        WoodpeckerErrorCode.StorageCorrupted => GrpcStatusCode.DataLoss,
        _ => GrpcStatusCode.Internal,
    };

    /// <summary>The status exception a handler throws for <paramref name="error"/>.</summary>
    public static GrpcStatusException ToStatus(WoodpeckerException error) =>
        new(StatusOf(error.ErrorCode), error.Message, new Dictionary<string, string>
        {
            [ErrorCodeTrailer] = ((int)error.ErrorCode).ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>The typed error a client throws for a failed call to <paramref name="server"/>.</summary>
    public static WoodpeckerException ToWoodpecker(GrpcStatusException failed, Uri server)
    {
        if (failed.Trailers.TryGetValue(ErrorCodeTrailer, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var code))
        {
            return WoodpeckerException.FromCode((WoodpeckerErrorCode)code, failed.Detail, failed);
        }

        return failed.Status switch
        {
            GrpcStatusCode.Unavailable => new ServiceUnavailableException(
                $"The silo at {server} is unavailable ({failed.Detail}). The client retries calls that are safe to repeat; retry this one later.", failed),
            GrpcStatusCode.DeadlineExceeded => new WoodpeckerTimeoutException($"The call to {server} did not complete in time: {failed.Detail}", failed),
            GrpcStatusCode.ResourceExhausted => new OverloadedException($"The silo at {server} refused the call: {failed.Detail}", failed),
            GrpcStatusCode.InvalidArgument => new WoodpeckerException(WoodpeckerErrorCode.InvalidArgument, failed.Detail, failed),
            GrpcStatusCode.Unimplemented => new WoodpeckerException(
                WoodpeckerErrorCode.Internal, $"The silo at {server} does not serve this call ({failed.Detail}); are client and silo the same version?", failed),
            _ => new WoodpeckerException(WoodpeckerErrorCode.Internal, $"The call to {server} failed with {failed.Status}: {failed.Detail}", failed),
        };
    }
}
