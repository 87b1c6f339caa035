using Microsoft.Extensions.Logging;

namespace Woodpecker.Cluster;

/// <summary>Source-generated log messages of the cluster runtime (event ids 1100–1199).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Silo {SiloId} joined the cluster at {Endpoint}; {Count} silos live")]
    public static partial void Joined(ILogger logger, string siloId, string endpoint, int count);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Silo {SiloId} ({Endpoint}) is live; {Count} silos")]
    public static partial void SiloJoined(ILogger logger, string siloId, Uri endpoint, int count);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Silo {SiloId} left or its lease expired; {Count} silos")]
    public static partial void SiloLeft(ILogger logger, string siloId, int count);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Watching cluster members failed; reloading the view")]
    public static partial void WatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Removing the member key of silo {SiloId} failed; it lapses with the lease")]
    public static partial void LeaveFailed(ILogger logger, string siloId, Exception exception);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Publishing this silo's load failed")]
    public static partial void LoadReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "Call {Method} to {Grain}: {Outcome} (attempt {Attempt}), retrying")]
    public static partial void CallRetry(ILogger logger, string method, Woodpecker.Runtime.GrainId grain, string outcome, int attempt);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Critical, Message = "Silo {SiloId} lost its cluster lease; it stopped serving and dropped its activations")]
    public static partial void LeaseLost(ILogger logger, string siloId);
}
