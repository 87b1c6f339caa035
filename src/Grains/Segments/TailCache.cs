using Woodpecker.Grains.Messages;
using Woodpecker.Protocol.V1;

namespace Woodpecker.Grains.Segments;

/// <summary>
/// The most recent durable entries of a segment, kept so tail readers get new entries from memory instead of
/// storage. Holds the writer's own immutable entry messages (no copy); bounded by payload bytes.
/// </summary>
internal sealed class TailCache
{
    private readonly int _capacityBytes;
    private readonly List<Entry> _entries = [];
    private int _head;
    private long _firstEntryId;
    private long _bytes;

    public TailCache(int capacityBytes) => _capacityBytes = capacityBytes;

    /// <summary>Adds entries that just became durable; they continue the cached range.</summary>
    public void Add(long firstEntryId, List<Entry> entries)
    {
        if (_capacityBytes == 0)
        {
            return;
        }

        if (_head == _entries.Count || firstEntryId != _firstEntryId + (_entries.Count - _head))
        {
            Clear();
            _firstEntryId = firstEntryId;
        }

        foreach (var entry in entries)
        {
            _entries.Add(entry);
            _bytes += entry.Payload.Length;
        }

        while (_bytes > _capacityBytes && _entries.Count - _head > 1)
        {
            _bytes -= _entries[_head].Payload.Length;
            _entries[_head] = null!;
            _head++;
            _firstEntryId++;
        }

        if (_head > 1024 && _head > _entries.Count / 2)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>Copies cached entries from <paramref name="fromEntryId"/> into <paramref name="output"/>; false when it is not cached.</summary>
    public bool TryRead(long fromEntryId, int maxEntries, long maxBytes, IList<SegmentEntry> output)
    {
        var count = _entries.Count - _head;
        if (count == 0 || fromEntryId < _firstEntryId || fromEntryId >= _firstEntryId + count)
        {
            return false;
        }

        long bytes = 0;
        for (var id = fromEntryId; id < _firstEntryId + count && output.Count < maxEntries && (output.Count == 0 || bytes < maxBytes); id++)
        {
            var entry = _entries[_head + (int)(id - _firstEntryId)];
            output.Add(new SegmentEntry { EntryId = id, Entry = entry });
            bytes += entry.Payload.Length;
        }

        return true;
    }

    public void Clear()
    {
        _entries.Clear();
        _head = 0;
        _bytes = 0;
    }
}
