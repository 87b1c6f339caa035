using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Woodpecker.Cluster.Protocol;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Leases;

namespace Woodpecker.Cluster.Membership;

/// <summary>
/// This silo's membership: it holds an etcd lease, keeps a member key bound to it, and watches every member key to
/// maintain the view of live silos. A silo that cannot renew its lease before its local deadline stops serving
/// (<see cref="IsServing"/> turns false and <see cref="LeaseLost"/> fires) — it never waits for etcd to tell it,
/// because by then another silo may own its grains. A crashed silo disappears from every view when its lease expires.
/// </summary>
public sealed class ClusterMembership : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly ClusterOptions _options;
    private readonly LeaseKeeper _lease;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _viewLock = new();
    private readonly Task _watchLoop;
    private readonly Task _loadLoop;
    private Dictionary<string, SiloInfo> _members;
    private MembershipView _view;
    private TaskCompletionSource _viewChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<int>? _loadSource;
    private int _reportedLoad = -1;
    private int _left;
    private int _disposed;

    private ClusterMembership(
        IMetadataStore store, ClusterOptions options, LeaseKeeper lease, SiloInfo local, RangeResult initial, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _options = options;
        _lease = lease;
        LocalSilo = local;
        _timeProvider = timeProvider;
        _logger = logger;
        _members = initial.Items.Select(ParseMember).OfType<SiloInfo>().ToDictionary(s => s.SiloId, StringComparer.Ordinal);
        _view = new MembershipView(initial.Revision, _members.Values);
        _watchLoop = Task.Run(() => WatchLoopAsync(initial.Revision + 1));
        _loadLoop = Task.Run(LoadReportLoopAsync);
    }

    /// <summary>This silo.</summary>
    public SiloInfo LocalSilo { get; }

    /// <summary>The latest view of live silos.</summary>
    public MembershipView View => Volatile.Read(ref _view);

    /// <summary>The lease every key of this silo (member key, directory entries) is bound to.</summary>
    public long LeaseId => _lease.LeaseId;

    /// <summary>
    /// True while this silo may act for its grains: its lease is renewed and its local deadline has not passed, and it has
    /// not left. Checked before anything is acknowledged; reading it is cheap (a clock read and a compare).
    /// </summary>
    public bool IsServing => Volatile.Read(ref _left) == 0 && _lease.IsValid;

    /// <summary>Fires when the lease is lost (not renewed in time, expired, or abandoned).</summary>
    public CancellationToken LeaseLost => _lease.Lost;

    /// <summary>Raised after the view changed (on the watch thread; handlers must be quick).</summary>
    public event Action<MembershipView>? ViewChanged;

    /// <summary>Joins the cluster: grants the lease, writes the member key, loads and starts watching the view.</summary>
    public static async Task<ClusterMembership> JoinAsync(
        IMetadataStore store, ClusterOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        timeProvider ??= TimeProvider.System;
        logger ??= Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        // Renew four times per TTL and give each keep-alive most of the gap: a busy etcd or a loaded silo then has several
        // chances (each up to TTL/5) before the local deadline (TTL minus a tenth) makes the silo step down.
        var leaseOptions = new LeaseKeeperOptions { Ttl = options.LeaseTtl, RenewInterval = options.LeaseTtl / 4, KeepAliveTimeout = options.LeaseTtl / 5 };
        var lease = await LeaseKeeper.StartAsync(store, leaseOptions, timeProvider, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            var started = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var record = new MemberRecord { SiloId = options.SiloId, Endpoint = options.Endpoint, Zone = options.Zone, StartedUnixMs = started };
            var key = options.MembersPrefix + options.SiloId;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.MetadataTimeout);
            var joined = await store.TxnAsync(
                new Txn().If(Compare.Missing(key)).Then(TxnOp.Put(key, record.ToByteArray(), lease.LeaseId)),
                timeout.Token).ConfigureAwait(false);
            if (!joined.Succeeded)
            {
                throw new InvalidOperationException(
                    $"A silo with id '{options.SiloId}' is already a member of the cluster at '{options.KeyPrefix}'. Give every silo process a unique SiloId (or leave it unset for a generated one).");
            }

            var initial = await store.RangeAsync(options.MembersPrefix, cancellationToken: timeout.Token).ConfigureAwait(false);
            var local = new SiloInfo(options.SiloId, new Uri(options.Endpoint), options.Zone, 0, started);
            var membership = new ClusterMembership(store, options, lease, local, initial, timeProvider, logger);
            ClusterLog.Joined(logger, options.SiloId, options.Endpoint, membership.View.Silos.Count);
            return membership;
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Where the activation count comes from (published every <see cref="ClusterOptions.LoadReportInterval"/>).</summary>
    public void SetLoadSource(Func<int> activations) => _loadSource = activations;

    /// <summary>Waits until the view satisfies <paramref name="condition"/>; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<MembershipView> WaitForViewAsync(Func<MembershipView, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_viewLock)
            {
                if (condition(_view))
                {
                    return _view;
                }

                changed = _viewChanged.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The cluster view did not reach the expected state within {timeout}; it has {View.Silos.Count} silos: {string.Join(", ", View.SiloIds)}.");
            }
        }
    }

    /// <summary>
    /// Leaves the view at once (other silos stop placing grains here), keeping the lease so this silo's directory entries
    /// stay valid while its grains deactivate. <see cref="DisposeAsync"/> then revokes the lease.
    /// </summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _left, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.MetadataTimeout);
            await _store.DeleteAsync(_options.MembersPrefix + _options.SiloId, timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: the key lapses with the lease anyway.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ClusterLog.LeaveFailed(_logger, _options.SiloId, ex);
        }
    }

    /// <summary>
    /// Stops without leaving or revoking: the member key and directory entries lapse with the lease, exactly as after a
    /// crash. For the in-process test cluster.
    /// </summary>
    public async ValueTask AbandonAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _left, 1);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _lease.AbandonAsync().ConfigureAwait(false);
        await Task.WhenAll(_watchLoop, _loadLoop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    /// <summary>Leaves (when not already gone) and revokes the lease, which removes every key of this silo.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await LeaveAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _lease.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_watchLoop, _loadLoop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task WatchLoopAsync(long fromRevision)
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _store.WatchAsync(_options.MembersPrefix, fromRevision, stopping).ConfigureAwait(false))
                {
                    Apply(change);
                    fromRevision = change.Item.ModRevision + 1;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The view must keep following: reload it and watch again after any failure.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ClusterLog.WatchFailed(_logger, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), _timeProvider, stopping).ConfigureAwait(false);
                    var reloaded = await _store.RangeAsync(_options.MembersPrefix, cancellationToken: stopping).ConfigureAwait(false);
                    Replace(reloaded);
                    fromRevision = reloaded.Revision + 1;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031
                catch (Exception reloadError)
#pragma warning restore CA1031
                {
                    ClusterLog.WatchFailed(_logger, reloadError);
                }
            }
        }
    }

    private void Apply(WatchEvent change)
    {
        var siloId = change.Item.Key[_options.MembersPrefix.Length..];
        lock (_viewLock)
        {
            var members = new Dictionary<string, SiloInfo>(_members, StringComparer.Ordinal);
            if (change.Kind == WatchEventKind.Delete)
            {
                members.Remove(siloId);
                ClusterLog.SiloLeft(_logger, siloId, members.Count);
            }
            else if (ParseMember(change.Item) is { } silo)
            {
                if (!members.ContainsKey(silo.SiloId))
                {
                    ClusterLog.SiloJoined(_logger, silo.SiloId, silo.Endpoint, members.Count + 1);
                }

                members[silo.SiloId] = silo;
            }

            Publish(members, change.Item.ModRevision);
        }
    }

    private void Replace(RangeResult range)
    {
        lock (_viewLock)
        {
            Publish(range.Items.Select(ParseMember).OfType<SiloInfo>().ToDictionary(s => s.SiloId, StringComparer.Ordinal), range.Revision);
        }
    }

    private void Publish(Dictionary<string, SiloInfo> members, long revision)
    {
        _members = members;
        var view = new MembershipView(revision, members.Values);
        Volatile.Write(ref _view, view);
        var changed = _viewChanged;
        _viewChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
        ViewChanged?.Invoke(view);
    }

    private async Task LoadReportLoopAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.LoadReportInterval, _timeProvider, stopping).ConfigureAwait(false);
                var load = _loadSource?.Invoke() ?? 0;

                // Publish only real changes (more than 10 % or 10 activations): every put is an etcd write and a watch
                // event on every silo.
                if (!IsServing || Math.Abs(load - _reportedLoad) <= Math.Max(10, _reportedLoad / 10))
                {
                    continue;
                }

                var record = new MemberRecord
                {
                    SiloId = LocalSilo.SiloId, Endpoint = LocalSilo.Endpoint.ToString(), Zone = LocalSilo.Zone,
                    StartedUnixMs = LocalSilo.StartedUnixMs, Activations = load,
                };
                var key = _options.MembersPrefix + LocalSilo.SiloId;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                timeout.CancelAfter(_options.MetadataTimeout);

                // Only while the key is ours: never resurrect a member key after leaving.
                await _store.TxnAsync(new Txn().If(Compare.Exists(key)).Then(TxnOp.Put(key, record.ToByteArray(), _lease.LeaseId)), timeout.Token)
                    .ConfigureAwait(false);
                _reportedLoad = load;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A missed load report only makes least-loaded placement less precise.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ClusterLog.LoadReportFailed(_logger, ex);
            }
        }
    }

    private static SiloInfo? ParseMember(KeyValue item)
    {
        try
        {
            var record = MemberRecord.Parser.ParseFrom(item.Value.Span);
            return Uri.TryCreate(record.Endpoint, UriKind.Absolute, out var endpoint)
                ? new SiloInfo(record.SiloId, endpoint, record.Zone, record.Activations, record.StartedUnixMs)
                : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
