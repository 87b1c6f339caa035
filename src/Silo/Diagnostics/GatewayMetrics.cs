using System.Diagnostics.Metrics;

namespace Woodpecker.Silo.Diagnostics;

/// <summary>Metrics of the gRPC gateway, published on the "Woodpecker.Gateway" meter.</summary>
internal static class GatewayMetrics
{
    public const string MeterName = "Woodpecker.Gateway";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> AppendRequestDuration = Meter.CreateHistogram<double>(
        "woodpecker.gateway.append.duration", unit: "ms",
        description: "From receiving an AppendEntries request to acknowledging it (every entry durable), as the silo sees it");

    public static readonly Counter<long> AppendRequests =
        Meter.CreateCounter<long>("woodpecker.gateway.append.requests", description: "AppendEntries requests acknowledged");

    public static readonly Counter<long> CallsRefusedNotServing =
        Meter.CreateCounter<long>("woodpecker.gateway.refused", description: "Calls or acknowledgements refused because the silo was not serving");
}
