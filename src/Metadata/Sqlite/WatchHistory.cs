namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// The in-memory ring of recent revisions, for watches that start in the past or fall behind. It holds every event
/// of every revision greater than <see cref="CompactRevision"/> and at most the configured number of events
/// (older revisions are dropped whole, never in part). Not thread-safe: <see cref="WatchHub"/> locks around it.
/// </summary>
internal sealed class WatchHistory
{
    private readonly List<RevisionBatch> _batches = [];
    private readonly int _capacity;
    private int _start;
    private int _events;

    public WatchHistory(int capacity, long compactRevision)
    {
        _capacity = capacity;
        CompactRevision = compactRevision;
    }

    /// <summary>Every revision above this one is fully held.</summary>
    public long CompactRevision { get; private set; }

    /// <summary>Number of held revisions.</summary>
    public int Count => _batches.Count - _start;

    /// <summary>Number of held events.</summary>
    public int EventCount => _events;

    /// <summary>The held revision at <paramref name="index"/> (0 = oldest).</summary>
    public RevisionBatch this[int index] => _batches[_start + index];

    /// <summary>Appends a revision (revisions arrive in increasing order) and drops the oldest beyond capacity.</summary>
    public void Add(RevisionBatch batch)
    {
        _batches.Add(batch);
        _events += batch.Events.Count;
        while (_events > _capacity && Count > 0)
        {
            DropOldest();
        }
    }

    /// <summary>Forgets every revision up to and including <paramref name="revision"/>.</summary>
    public void Compact(long revision)
    {
        while (Count > 0 && this[0].Revision <= revision)
        {
            DropOldest();
        }

        CompactRevision = Math.Max(CompactRevision, revision);
    }

    /// <summary>Index of the oldest held revision ≥ <paramref name="revision"/>; <see cref="Count"/> when none.</summary>
    public int IndexOf(long revision)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (this[mid].Revision < revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void DropOldest()
    {
        var oldest = _batches[_start];
        _batches[_start] = null!;
        _start++;
        _events -= oldest.Events.Count;
        CompactRevision = Math.Max(CompactRevision, oldest.Revision);
        if (_start >= 1024 && _start * 2 >= _batches.Count)
        {
            _batches.RemoveRange(0, _start);
            _start = 0;
        }
    }
}
