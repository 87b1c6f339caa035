using Microsoft.Extensions.Logging;

namespace Woodpecker.Etcd;

/// <summary>Source-generated log messages of the etcd client (event ids 3100–3149).</summary>
internal static partial class EtcdLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "etcd endpoint {Endpoint} failed; trying the next one")]
    public static partial void EndpointFailed(ILogger logger, Uri endpoint);
}
