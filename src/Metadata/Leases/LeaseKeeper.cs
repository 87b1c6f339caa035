using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Leases;

/// <summary>
/// Keeps one lease alive on an <see cref="IMetadataStore"/>: grants it, renews it every third of its TTL, and
/// tracks a local deadline so its holder can stop acting on the lease by itself when renewal fails (self-fencing).
/// </summary>
/// <remarks>
/// The local deadline is the time the last successful keep-alive was <em>sent</em> + TTL − a safety margin, on the
/// monotonic clock of the <see cref="TimeProvider"/>. The store's own expiry is at least that late: it renewed the
/// lease after the request was sent. <see cref="Lost"/> fires when the deadline passes without a renewal, when the
/// store says the lease is gone, or when the keeper is disposed; a lost keeper never recovers (grant a new one).
/// A lease alone never guarantees mutual exclusion (pauses, partitions): side effects must also carry an epoch.
/// </remarks>
public sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly LeaseKeeperOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _renewInterval;
    private readonly TimeSpan _safetyMargin;
    private readonly TimeSpan _keepAliveTimeout;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _deadlineTimer;
    private readonly object _deadlineLock = new();
    private readonly Task _renewLoop;
    private long _deadline;
    private int _lostFlag;
    private int _disposed;

    private LeaseKeeper(IMetadataStore store, LeaseKeeperOptions options, TimeProvider timeProvider, ILogger logger, LeaseGrant grant, long grantSentAt)
    {
        _store = store;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        LeaseId = grant.Id;
        Ttl = grant.Ttl;
        (_renewInterval, _safetyMargin, _keepAliveTimeout) = options.Resolve(grant.Ttl);
        _deadline = grantSentAt + ToTicks(grant.Ttl - _safetyMargin);
        _deadlineTimer = timeProvider.CreateTimer(static s => ((LeaseKeeper)s!).OnDeadlineTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ArmDeadlineTimer();
        _logger.Granted(LeaseId, Ttl, _renewInterval);
        _renewLoop = Task.Run(RenewLoopAsync);
    }

    /// <summary>The lease id; bind keys to it.</summary>
    public long LeaseId { get; }

    /// <summary>The TTL the store granted.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>True while the local deadline has not passed and the lease was not lost.</summary>
    public bool IsValid => !_lost.IsCancellationRequested && _timeProvider.GetTimestamp() < Volatile.Read(ref _deadline);

    /// <summary>Time left before the local deadline (zero when past it or lost).</summary>
    public TimeSpan TimeToDeadline
    {
        get
        {
            if (_lost.IsCancellationRequested)
            {
                return TimeSpan.Zero;
            }

            var ticks = Volatile.Read(ref _deadline) - _timeProvider.GetTimestamp();
            return ticks <= 0 ? TimeSpan.Zero : FromTicks(ticks);
        }
    }

    /// <summary>Fires once the lease can no longer be relied on (deadline passed, store lost it, or keeper disposed).</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Grants a lease and starts keeping it alive.</summary>
    /// <param name="store">The store holding the lease.</param>
    /// <param name="options">Settings; defaults when null. Validated here.</param>
    /// <param name="timeProvider">Clock and timers; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <param name="cancellationToken">Cancels the grant.</param>
    public static async Task<LeaseKeeper> StartAsync(
        IMetadataStore store,
        LeaseKeeperOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new LeaseKeeperOptions();
        options.Validate();
        timeProvider ??= TimeProvider.System;
        var sentAt = timeProvider.GetTimestamp();
        var grant = await store.GrantLeaseAsync(options.Ttl, cancellationToken).ConfigureAwait(false);
        return new LeaseKeeper(store, options, timeProvider, logger ?? NullLogger.Instance, grant, sentAt);
    }

    /// <summary>Stops renewing, revokes the lease (deleting keys bound to it; bounded by <see cref="LeaseKeeperOptions.RevokeTimeout"/>) and fires <see cref="Lost"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _renewLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _deadlineTimer.DisposeAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(_options.RevokeTimeout, _timeProvider);
            await _store.RevokeLeaseAsync(LeaseId, timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: an unrevoked lease expires after its TTL anyway.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.RevokeFailed(LeaseId, ex);
        }

        FireLost(reason: null);
        _stopping.Dispose();
    }

    /// <summary>
    /// Stops renewing without revoking: the lease lapses after its TTL exactly as if this process had died. Lets an
    /// in-process test cluster simulate a crashed silo.
    /// </summary>
    public async ValueTask AbandonAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _renewLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _deadlineTimer.DisposeAsync().ConfigureAwait(false);
        FireLost("abandoned without revoking (simulated crash)");
        _stopping.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        var delay = _renewInterval;
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested && !_lost.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _timeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var sentAt = _timeProvider.GetTimestamp();
            try
            {
                using var timeout = new CancellationTokenSource(_keepAliveTimeout, _timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
                var ttl = await _store.KeepAliveAsync(LeaseId, linked.Token).ConfigureAwait(false);
                ExtendDeadline(sentAt + ToTicks(ttl - _safetyMargin));
                delay = _renewInterval;
            }
            catch (LeaseNotFoundException)
            {
                FireLost("the store reports it expired or was revoked");
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any other failure is retried until the local deadline decides.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                delay = _renewInterval / 3;
                _logger.KeepAliveFailed(LeaseId, TimeToDeadline, delay, ex);
            }
        }
    }

    private void ExtendDeadline(long deadline)
    {
        lock (_deadlineLock)
        {
            if (deadline > _deadline)
            {
                Volatile.Write(ref _deadline, deadline);
            }

            ArmDeadlineTimer();
        }
    }

    private void ArmDeadlineTimer()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var remaining = Volatile.Read(ref _deadline) - _timeProvider.GetTimestamp();
        try
        {
            _deadlineTimer.Change(remaining <= 0 ? TimeSpan.Zero : FromTicks(remaining), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently; nothing left to watch.
        }
    }

    private void OnDeadlineTimer()
    {
        lock (_deadlineLock)
        {
            if (_timeProvider.GetTimestamp() < Volatile.Read(ref _deadline))
            {
                // A renewal moved the deadline after this tick was scheduled.
                ArmDeadlineTimer();
                return;
            }
        }

        FireLost("no keep-alive succeeded before the local deadline");
    }

    private void FireLost(string? reason)
    {
        if (Interlocked.Exchange(ref _lostFlag, 1) != 0)
        {
            return;
        }

        if (reason is not null)
        {
            _logger.Lost(LeaseId, reason);
        }

        try
        {
            _lost.Cancel();
        }
        catch (AggregateException ex)
        {
            _logger.LostCallbackFailed(LeaseId, ex);
        }
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _timeProvider.TimestampFrequency);

    private TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds((double)ticks / _timeProvider.TimestampFrequency);
}
