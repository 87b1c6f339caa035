using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// One watcher's state. Live revisions are offered into a bounded buffer by the writer (under the hub's lock, never
/// waiting); when the buffer is full the watcher is marked lagging and stops receiving live revisions, and its
/// consumer later catches up from the history ring, then switches back to live delivery. If the ring no longer
/// holds what it needs, the consumer gets <see cref="WatchCompactedException"/>. No event is ever skipped.
/// </summary>
internal sealed class WatchSubscription
{
    private readonly WatchHub _hub;
    private readonly long _startRevision;
    private readonly int _capacity;
    private readonly Queue<RevisionBatch> _buffer = new();
    private int _buffered;
    private bool _lagging;
    private long _nextRevision;
    private bool _closed;
    private TaskCompletionSource? _wake;

    /// <summary>Creates a subscription that first catches up from the history (it starts out lagging).</summary>
    public WatchSubscription(WatchHub hub, string prefix, long startRevision, int capacity)
    {
        _hub = hub;
        Prefix = prefix;
        _startRevision = startRevision;
        _nextRevision = startRevision;
        _capacity = capacity;
        _lagging = true;
    }

    /// <summary>The key prefix watched.</summary>
    public string Prefix { get; }

    /// <summary>
    /// Waits for the next events (at least one), in revision order. Throws <see cref="WatchCompactedException"/> when
    /// the history it needs is gone and <see cref="ObjectDisposedException"/> when the store closed.
    /// </summary>
    public async ValueTask<List<WatchEvent>> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_hub.SyncRoot)
            {
                if (_closed)
                {
                    throw new ObjectDisposedException(nameof(SqliteMetadataStore), "The metadata store was closed; the watch has ended.");
                }

                if (_buffer.Count > 0)
                {
                    var list = new List<WatchEvent>(_buffered);
                    while (_buffer.TryDequeue(out var batch))
                    {
                        list.AddRange(batch.Events);
                        _nextRevision = batch.Revision + 1;
                    }

                    _buffered = 0;
                    return list;
                }

                if (_lagging)
                {
                    var list = CatchUpFromHistory();
                    if (list.Count > 0)
                    {
                        return list;
                    }

                    continue;
                }

                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _wake.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Offers a live revision; called under the hub's lock. Returns true when this made the watcher lag.</summary>
    internal bool Offer(RevisionBatch batch)
    {
        if (_closed || _lagging || batch.Revision < _startRevision)
        {
            return false;
        }

        var matching = Filter(batch);
        if (matching is null)
        {
            return false;
        }

        if (_buffered > 0 && _buffered + matching.Events.Count > _capacity)
        {
            _lagging = true;
            Wake();
            return true;
        }

        _buffer.Enqueue(matching);
        _buffered += matching.Events.Count;
        Wake();
        return false;
    }

    /// <summary>Ends the watch; called under the hub's lock.</summary>
    internal void Close()
    {
        _closed = true;
        _buffer.Clear();
        Wake();
    }

    private List<WatchEvent> CatchUpFromHistory()
    {
        var history = _hub.History;
        if (history.CompactRevision >= _nextRevision)
        {
            throw new WatchCompactedException(_nextRevision, history.CompactRevision);
        }

        var list = new List<WatchEvent>();
        var i = history.IndexOf(_nextRevision);
        for (; i < history.Count && list.Count < _capacity; i++)
        {
            var batch = history[i];
            foreach (var e in batch.Events)
            {
                if (KeyCodec.HasPrefix(e.Item.Key, Prefix))
                {
                    list.Add(e);
                }
            }

            _nextRevision = batch.Revision + 1;
        }

        if (i == history.Count)
        {
            // Caught up: everything published from now on is offered live (the hub's lock orders the two).
            _lagging = false;
        }

        return list;
    }

    private RevisionBatch? Filter(RevisionBatch batch)
    {
        if (Prefix.Length == 0)
        {
            return batch;
        }

        var all = true;
        var any = false;
        foreach (var e in batch.Events)
        {
            var match = KeyCodec.HasPrefix(e.Item.Key, Prefix);
            all &= match;
            any |= match;
        }

        if (all)
        {
            return batch;
        }

        return any ? batch with { Events = batch.Events.Where(e => KeyCodec.HasPrefix(e.Item.Key, Prefix)).ToArray() } : null;
    }

    private void Wake()
    {
        var wake = _wake;
        _wake = null;
        wake?.TrySetResult();
    }
}
