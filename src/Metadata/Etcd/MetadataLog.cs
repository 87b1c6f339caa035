using Microsoft.Extensions.Logging;

namespace Woodpecker.Metadata.Etcd;

/// <summary>Source-generated log messages of the etcd metadata store (event ids 3150–3199).</summary>
internal static partial class MetadataLog
{
    [LoggerMessage(EventId = 3150, Level = LogLevel.Warning, Message = "The watch of '{Prefix}' broke; resuming from revision {Revision}")]
    public static partial void WatchInterrupted(ILogger logger, string prefix, long revision, Exception exception);
}
