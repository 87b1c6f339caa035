namespace Woodpecker.Runtime.Directory;

/// <summary>
/// Where the single activation of each grain lives, cluster-wide. The runtime registers an activation before the
/// grain's <c>OnActivateAsync</c> runs and unregisters it after <c>OnDeactivateAsync</c>; an activation exists only
/// if its registration won. Embedded mode has no directory (every grain is local).
/// </summary>
public interface IGrainDirectory
{
    /// <summary>
    /// Claims <paramref name="grain"/> for this silo. Returns the activation's epoch: a number that grows with every
    /// new activation of the grain, so side effects can be fenced against older activations.
    /// </summary>
    /// <exception cref="GrainNotOwnedHereException">Another silo holds the grain's activation.</exception>
    Task<long> RegisterAsync(GrainId grain, CancellationToken cancellationToken);

    /// <summary>
    /// The metadata-store key whose create revision is the epoch of <paramref name="grain"/>'s activation. Grains whose
    /// metadata lives in the same store add "this key still has my epoch" to their transactions, so a superseded
    /// activation (its silo paused past its lease) can never write.
    /// </summary>
    string FenceKey(GrainId grain);

    /// <summary>Releases the claim made by the activation with <paramref name="epoch"/>; never releases a newer one.</summary>
    Task UnregisterAsync(GrainId grain, long epoch, CancellationToken cancellationToken);
}
