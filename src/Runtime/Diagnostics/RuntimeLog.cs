using Microsoft.Extensions.Logging;

namespace Woodpecker.Runtime.Diagnostics;

/// <summary>Source-generated log messages of the runtime (event ids 1000–1099).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Activating grain {Grain} failed")]
    public static partial void ActivationFailed(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Deactivating grain {Grain} ({Reason}) failed")]
    public static partial void DeactivationFailed(ILogger logger, GrainId grain, DeactivationReason reason, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "A timer tick of grain {Grain} failed")]
    public static partial void TimerTickFailed(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Collected {Count} idle activations")]
    public static partial void IdleCollected(ILogger logger, int count);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Shutting down: {Count} activations did not deactivate within the timeout")]
    public static partial void ShutdownIncomplete(ILogger logger, int count);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Releasing the directory entry of grain {Grain} failed; it lapses with this silo's lease")]
    public static partial void UnregisterFailed(ILogger logger, GrainId grain, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Grain {Grain} is active elsewhere; calls queued here are redirected ({Reason})")]
    public static partial void ActivationRedirected(ILogger logger, GrainId grain, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Aborting {Count} activations without deactivation: {Reason}")]
    public static partial void Aborting(ILogger logger, int count, string reason);
}
