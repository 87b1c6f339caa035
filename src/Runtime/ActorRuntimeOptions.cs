namespace Woodpecker.Runtime;

/// <summary>Options of the actor runtime. Defaults suit a server; tests shorten the idle age.</summary>
public sealed class ActorRuntimeOptions
{
    /// <summary>Calls an activation's mailbox holds before callers queue in its overflow. Default 1,024.</summary>
    public int MailboxCapacity { get; set; } = 1024;

    /// <summary>Calls that may wait for mailbox space before new calls are rejected as overloaded. Default 8,192.</summary>
    public int MailboxOverflowLimit { get; set; } = 8192;

    /// <summary>Timeout of a grain call unless its method or the caller says otherwise. Default 30 s.</summary>
    public TimeSpan DefaultCallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an activation may go without a call before it is deactivated. Default 2 minutes.</summary>
    public TimeSpan IdleDeactivationAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often idle activations are looked for. Default: a quarter of the idle age, at most 30 s.</summary>
    public TimeSpan? CollectionInterval { get; set; }

    /// <summary>Upper bound on OnActivateAsync. Default 30 s.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on OnDeactivateAsync. Default 30 s.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Work items an activation runs before it yields its thread to other activations. Default 64.</summary>
    public int MaxWorkItemsPerQuantum { get; set; } = 64;

    /// <summary>The collection interval in effect.</summary>
    public TimeSpan EffectiveCollectionInterval =>
        CollectionInterval ?? TimeSpan.FromTicks(Math.Clamp(IdleDeactivationAge.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(30).Ticks));

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        Require(MailboxCapacity > 0, nameof(MailboxCapacity), "must be positive");
        Require(MailboxOverflowLimit >= 0, nameof(MailboxOverflowLimit), "must not be negative");
        Require(DefaultCallTimeout > TimeSpan.Zero, nameof(DefaultCallTimeout), "must be positive");
        Require(IdleDeactivationAge > TimeSpan.Zero, nameof(IdleDeactivationAge), "must be positive");
        Require(CollectionInterval is null || CollectionInterval > TimeSpan.Zero, nameof(CollectionInterval), "must be positive");
        Require(ActivationTimeout > TimeSpan.Zero, nameof(ActivationTimeout), "must be positive");
        Require(DeactivationTimeout > TimeSpan.Zero, nameof(DeactivationTimeout), "must be positive");
        Require(MaxWorkItemsPerQuantum > 0, nameof(MaxWorkItemsPerQuantum), "must be positive");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, $"ActorRuntimeOptions.{name} {message}.");
        }
    }
}
