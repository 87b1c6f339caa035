namespace Woodpecker.Metadata.Leases;

/// <summary>Settings of a <see cref="LeaseKeeper"/>.</summary>
public sealed class LeaseKeeperOptions
{
    /// <summary>
    /// Lease time to live to ask for. Default 10 s. etcd grants whole seconds (and at least its minimum TTL); the
    /// keeper works with the TTL the store actually granted.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often to renew; null (default) for a third of the granted TTL.</summary>
    public TimeSpan? RenewInterval { get; set; }

    /// <summary>
    /// How much earlier than the store the keeper gives the lease up: its local deadline is the time the last
    /// successful keep-alive was sent + TTL − this margin. Null (default) for a tenth of the granted TTL. It covers
    /// clock-rate differences and the time between the deadline passing and the holder noticing.
    /// </summary>
    public TimeSpan? SafetyMargin { get; set; }

    /// <summary>Longest one keep-alive call may take; null (default) for half the renewal interval.</summary>
    public TimeSpan? KeepAliveTimeout { get; set; }

    /// <summary>Longest the revoke on dispose may take. Default 2 s.</summary>
    public TimeSpan RevokeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        RequirePositive(Ttl, nameof(Ttl));
        RequirePositive(RevokeTimeout, nameof(RevokeTimeout));
        if (RenewInterval is { } renew)
        {
            RequirePositive(renew, nameof(RenewInterval));
            if (renew >= Ttl)
            {
                throw Bad(nameof(RenewInterval), $"must be shorter than {nameof(Ttl)} ({Ttl}) (got {renew})");
            }
        }

        if (SafetyMargin is { } margin && (margin < TimeSpan.Zero || margin >= Ttl))
        {
            throw Bad(nameof(SafetyMargin), $"must be at least zero and shorter than {nameof(Ttl)} ({Ttl}) (got {margin})");
        }

        if (KeepAliveTimeout is { } timeout)
        {
            RequirePositive(timeout, nameof(KeepAliveTimeout));
            var interval = RenewInterval ?? Ttl / 3;
            if (timeout >= interval)
            {
                throw Bad(nameof(KeepAliveTimeout), $"must be shorter than the renewal interval ({interval}) (got {timeout})");
            }
        }
    }

    /// <summary>The intervals to use for a lease the store granted with <paramref name="grantedTtl"/>.</summary>
    internal (TimeSpan RenewInterval, TimeSpan SafetyMargin, TimeSpan KeepAliveTimeout) Resolve(TimeSpan grantedTtl)
    {
        var renew = RenewInterval ?? grantedTtl / 3;
        var margin = SafetyMargin ?? grantedTtl / 10;
        var timeout = KeepAliveTimeout ?? renew / 2;
        return (renew, margin, timeout);
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw Bad(name, $"must be a positive duration (got {value})");
        }
    }

    private static ArgumentException Bad(string name, string problem) =>
        new($"{nameof(LeaseKeeperOptions)}.{name} {problem}.", name);
}
