using Microsoft.Extensions.Logging;

namespace Woodpecker.Metadata.Leases;

/// <summary>Log messages of <see cref="LeaseKeeper"/> (event ids 3050–3069).</summary>
internal static partial class LeaseKeeperLog
{
    [LoggerMessage(EventId = 3050, Level = LogLevel.Debug, Message = "Granted lease {LeaseId:x} with TTL {Ttl}; renewing every {RenewInterval}")]
    public static partial void Granted(this ILogger logger, long leaseId, TimeSpan ttl, TimeSpan renewInterval);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Warning, Message = "Keep-alive of lease {LeaseId:x} failed; {Remaining} left before the local deadline, retrying in {RetryIn}")]
    public static partial void KeepAliveFailed(this ILogger logger, long leaseId, TimeSpan remaining, TimeSpan retryIn, Exception exception);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Warning, Message = "Lease {LeaseId:x} is lost: {Reason}")]
    public static partial void Lost(this ILogger logger, long leaseId, string reason);

    [LoggerMessage(EventId = 3053, Level = LogLevel.Warning, Message = "Revoking lease {LeaseId:x} failed; it will expire after its TTL")]
    public static partial void RevokeFailed(this ILogger logger, long leaseId, Exception exception);

    [LoggerMessage(EventId = 3054, Level = LogLevel.Error, Message = "A callback registered on the lost-lease token of lease {LeaseId:x} threw")]
    public static partial void LostCallbackFailed(this ILogger logger, long leaseId, Exception exception);
}
