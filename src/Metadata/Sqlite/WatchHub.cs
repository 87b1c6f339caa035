using Microsoft.Extensions.Logging;
using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// Fans committed revisions out to watchers and keeps the history ring. The database thread publishes; watchers
/// consume on their own tasks. One lock orders both, and is only ever held for short, non-blocking work.
/// </summary>
internal sealed class WatchHub
{
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly int _watcherCapacity;
    private readonly ILogger _logger;
    private long _revision;
    private bool _closed;

    public WatchHub(int historyCapacity, int watcherCapacity, long compactRevision, long revision, ILogger logger)
    {
        History = new WatchHistory(historyCapacity, compactRevision);
        _watcherCapacity = watcherCapacity;
        _revision = revision;
        _logger = logger;
    }

    /// <summary>The lock guarding the history and every subscription.</summary>
    public object SyncRoot { get; } = new();

    /// <summary>The history ring; only touched under <see cref="SyncRoot"/>.</summary>
    public WatchHistory History { get; }

    /// <summary>The latest published revision.</summary>
    public long Revision
    {
        get
        {
            lock (SyncRoot)
            {
                return _revision;
            }
        }
    }

    /// <summary>Records a committed revision and offers it to every watcher, without waiting for any.</summary>
    public void Publish(RevisionBatch batch)
    {
        List<WatchSubscription>? lagging = null;
        lock (SyncRoot)
        {
            History.Add(batch);
            _revision = batch.Revision;
            foreach (var subscription in _subscriptions)
            {
                if (subscription.Offer(batch))
                {
                    (lagging ??= []).Add(subscription);
                }
            }
        }

        if (lagging is not null)
        {
            foreach (var subscription in lagging)
            {
                _logger.WatcherLagging(subscription.Prefix, batch.Revision, _watcherCapacity);
            }
        }
    }

    /// <summary>Starts a watcher at <paramref name="startRevision"/>; throws when that history is gone.</summary>
    public WatchSubscription Subscribe(string prefix, long startRevision)
    {
        lock (SyncRoot)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(SqliteMetadataStore));
            if (History.CompactRevision >= startRevision)
            {
                throw new WatchCompactedException(startRevision, History.CompactRevision);
            }

            var subscription = new WatchSubscription(this, prefix, startRevision, _watcherCapacity);
            _subscriptions.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Stops offering revisions to a watcher.</summary>
    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (SyncRoot)
        {
            _subscriptions.Remove(subscription);
        }
    }

    /// <summary>Forgets the history up to <paramref name="revision"/> (never beyond the latest revision).</summary>
    public void Compact(long revision)
    {
        lock (SyncRoot)
        {
            History.Compact(Math.Min(revision, _revision));
        }
    }

    /// <summary>Ends every watch (the store is closing).</summary>
    public void Close()
    {
        lock (SyncRoot)
        {
            _closed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.Close();
            }

            _subscriptions.Clear();
        }
    }
}
