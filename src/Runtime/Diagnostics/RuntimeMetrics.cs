using System.Diagnostics.Metrics;

namespace Woodpecker.Runtime.Diagnostics;

/// <summary>Metrics of the runtime, published on the "Woodpecker.Runtime" meter.</summary>
internal static class RuntimeMetrics
{
    public const string MeterName = "Woodpecker.Runtime";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> ActivationsCreated =
        Meter.CreateCounter<long>("woodpecker.runtime.activations.created", description: "Grain activations created");

    public static readonly Counter<long> ActivationsDeactivated =
        Meter.CreateCounter<long>("woodpecker.runtime.activations.deactivated", description: "Grain activations deactivated");

    public static readonly Counter<long> CallsStarted =
        Meter.CreateCounter<long>("woodpecker.runtime.calls", description: "Grain calls started");
}
