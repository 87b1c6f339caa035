using Microsoft.Extensions.Logging;

namespace Woodpecker.Silo.Diagnostics;

/// <summary>Source-generated log messages of the silo (event ids 1300–1399).</summary>
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Silo {SiloId} serving at {Endpoint}; {Members} silos in the cluster")]
    public static partial void Started(ILogger logger, string siloId, Uri endpoint, int members);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Silo {SiloId} leaving the cluster: deactivating its grains")]
    public static partial void Stopping(ILogger logger, string siloId);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Critical, Message = "Silo {SiloId} lost its cluster lease: it stopped serving and dropped its activations")]
    public static partial void LeaseLost(ILogger logger, string siloId);
}
