namespace Woodpecker.Cluster.Membership;

/// <summary>A live silo as membership sees it.</summary>
/// <param name="SiloId">Unique per process start.</param>
/// <param name="Endpoint">Its gRPC endpoint.</param>
/// <param name="Zone">Its failure domain; empty when none.</param>
/// <param name="Activations">Activations it reported last (a load hint).</param>
/// <param name="StartedUnixMs">When it joined.</param>
public sealed record SiloInfo(string SiloId, Uri Endpoint, string Zone, int Activations, long StartedUnixMs);
