namespace Woodpecker.Metadata.Abstractions;

/// <summary>The lease expired or was revoked; keys bound to it are gone and it cannot be kept alive.</summary>
public sealed class LeaseNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LeaseNotFoundException(long leaseId)
        : base($"Lease {leaseId:x} has expired or was revoked; grant a new lease and re-register what was bound to it.")
    {
        LeaseId = leaseId;
    }

    /// <summary>The lost lease.</summary>
    public long LeaseId { get; }
}
