using Google.Protobuf;
using Woodpecker.Grains.Messages;
using Woodpecker.Protocol.V1;
using Woodpecker.Storage.Format;

namespace Woodpecker.Grains.Segments;

/// <summary>
/// The most recent durable blocks of a segment, kept encoded (in the pooled buffers they were flushed from) so tail
/// readers get new entries from memory instead of storage. Holding encoded blocks rather than entry objects keeps
/// the write path from promoting payloads into older GC generations. Bounded by block bytes; the newest block is
/// always kept.
/// </summary>
internal sealed class TailCache
{
    private readonly int _capacityBytes;
    private readonly Action<BlockBuilder> _release;
    private readonly List<BlockBuilder> _blocks = [];
    private readonly List<long> _firstEntryIds = [];
    private long _bytes;

    public TailCache(int capacityBytes, Action<BlockBuilder> release)
    {
        _capacityBytes = capacityBytes;
        _release = release;
    }

    /// <summary>Takes ownership of a flushed block's builder; returns evicted builders through the release callback.</summary>
    public void Add(long firstEntryId, BlockBuilder block)
    {
        if (_capacityBytes == 0 || (_blocks.Count > 0 && firstEntryId != _firstEntryIds[^1] + _blocks[^1].EntryCount))
        {
            Clear();
            if (_capacityBytes == 0)
            {
                _release(block);
                return;
            }
        }

        _blocks.Add(block);
        _firstEntryIds.Add(firstEntryId);
        _bytes += block.Length;
        var evict = 0;
        while (_bytes > _capacityBytes && _blocks.Count - evict > 1)
        {
            _bytes -= _blocks[evict].Length;
            _release(_blocks[evict]);
            evict++;
        }

        if (evict > 0)
        {
            _blocks.RemoveRange(0, evict);
            _firstEntryIds.RemoveRange(0, evict);
        }
    }

    /// <summary>Decodes cached entries from <paramref name="fromEntryId"/> into <paramref name="output"/>; false when it is not cached.</summary>
    public bool TryRead(long fromEntryId, int maxEntries, long maxBytes, IList<SegmentEntry> output)
    {
        var index = _firstEntryIds.BinarySearch(fromEntryId);
        if (index < 0)
        {
            index = ~index - 1;
        }

        if (index < 0 || fromEntryId >= _firstEntryIds[index] + _blocks[index].EntryCount)
        {
            return false;
        }

        var decoded = new List<StoredEntry>();
        long bytes = 0;
        for (; index < _blocks.Count && output.Count < maxEntries && (output.Count == 0 || bytes < maxBytes); index++)
        {
            var block = _blocks[index];
            var header = BlockHeader.TryRead(block.Written, out _)!.Value;
            decoded.Clear();
            var limit = fromEntryId + (maxEntries - output.Count);
            BlockDecoder.Decode(block.Written, header, fromEntryId, limit, decoded);
            foreach (var stored in decoded)
            {
                if (output.Count > 0 && bytes >= maxBytes)
                {
                    return true;
                }

                var entry = new Entry { Payload = UnsafeByteOperations.UnsafeWrap(stored.Payload) };
                if (stored.Properties is not null)
                {
                    foreach (var (key, value) in stored.Properties)
                    {
                        entry.Properties[key] = value;
                    }
                }

                output.Add(new SegmentEntry { EntryId = stored.EntryId, Entry = entry });
                bytes += stored.Payload.Length;
                fromEntryId = stored.EntryId + 1;
            }
        }

        return true;
    }

    /// <summary>Drops every cached block.</summary>
    public void Clear()
    {
        foreach (var block in _blocks)
        {
            _release(block);
        }

        _blocks.Clear();
        _firstEntryIds.Clear();
        _bytes = 0;
    }
}
