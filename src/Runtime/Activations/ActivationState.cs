namespace Woodpecker.Runtime.Activations;

/// <summary>Life cycle of an activation. Order matters: states at or after Deactivating refuse new calls.</summary>
internal enum ActivationState
{
    Activating = 0,
    Valid = 1,
    Deactivating = 2,
    Invalid = 3,
}
