namespace Woodpecker.Runtime;

/// <summary>Identifies one activation for fencing: the directory key that names it and the epoch (that key's create revision).</summary>
/// <param name="Key">The metadata-store key of the activation's directory entry.</param>
/// <param name="Epoch">The activation's epoch.</param>
public sealed record ActivationFence(string Key, long Epoch);
