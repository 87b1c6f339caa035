namespace Woodpecker.Runtime.Directory;

/// <summary>
/// The grain's activation lives on another silo. Routing answers it as a redirect: the caller updates its directory
/// cache and sends the call to <see cref="OwnerSiloId"/> instead. The call was not executed here.
/// </summary>
public sealed class GrainNotOwnedHereException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainNotOwnedHereException(GrainId grain, string ownerSiloId, long ownerEpoch)
        : base($"Grain {grain} is active on silo '{ownerSiloId}' (epoch {ownerEpoch}), not here; the call must go there.")
    {
        Grain = grain;
        OwnerSiloId = ownerSiloId;
        OwnerEpoch = ownerEpoch;
    }

    /// <summary>The grain.</summary>
    public GrainId Grain { get; }

    /// <summary>The silo holding the activation.</summary>
    public string OwnerSiloId { get; }

    /// <summary>The owning activation's epoch.</summary>
    public long OwnerEpoch { get; }
}
