namespace Woodpecker.Cluster.Messaging;

/// <summary>
/// The silo is shutting down or lost its cluster lease, and did not execute the call. Routing sends the call to the
/// grain's next owner instead.
/// </summary>
public sealed class SiloNotServingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SiloNotServingException(string siloId, string reason)
        : base($"Silo '{siloId}' is not serving ({reason}); the call was not executed there.")
    {
        SiloId = siloId;
    }

    /// <summary>The silo that refused the call.</summary>
    public string SiloId { get; }
}
