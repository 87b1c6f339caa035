using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.S3;

/// <summary>
/// The blocks of a segment in entry order, from its footer (blocks at offsets in the concatenation of the footer's
/// objects) or, for a segment without a footer, from a listing of its block objects (the chain of blocks that
/// continue each other from entry 0; anything after a gap is not part of the segment).
/// </summary>
internal sealed class S3SegmentLayout
{
    private S3SegmentLayout(IReadOnlyList<BlockLocation> blocks) => Blocks = blocks;

    public IReadOnlyList<BlockLocation> Blocks { get; }

    public long EntryCount => Blocks.Count == 0 ? 0 : Blocks[^1].EndEntryId;

    public static S3SegmentLayout FromFooter(SegmentFooter footer)
    {
        var starts = new long[footer.Objects.Count + 1];
        for (var i = 0; i < footer.Objects.Count; i++)
        {
            starts[i + 1] = starts[i] + footer.Objects[i].Length;
        }

        var blocks = new List<BlockLocation>(footer.Blocks.Count);
        var objectIndex = 0;
        foreach (var block in footer.Blocks)
        {
            while (objectIndex < footer.Objects.Count - 1 && block.Offset >= starts[objectIndex + 1])
            {
                objectIndex++;
            }

            var objectName = footer.Objects.Count == 0 ? "" : footer.Objects[objectIndex].Name;
            blocks.Add(new BlockLocation(objectName, block.Offset - starts[objectIndex], block.Length, block.FirstEntryId, block.EntryCount));
        }

        return new S3SegmentLayout(blocks);
    }

    public static S3SegmentLayout FromListing(IEnumerable<SegmentObjectListing> listing)
    {
        var candidates = new SortedDictionary<long, SegmentObjectListing>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in listing)
        {
            // An object shorter or longer than its name says is not a complete upload (a store that lists objects
            // while they stream in, or a retry overwriting in place): it is not part of the segment. Its writer
            // cannot have been acknowledged, because the fence was already there when its upload finished.
            // Two complete objects for the same first entry can only come from two writers of one segment; the
            // first name (the lower epoch) wins.
            if (S3Keys.TryParseBlockName(item.Name, out var first, out var count, out var length) && item.Size == length
                && candidates.TryAdd(first, item))
            {
                counts[item.Name] = count;
            }
        }

        var blocks = new List<BlockLocation>();
        long next = 0;
        while (candidates.TryGetValue(next, out var item))
        {
            var count = counts[item.Name];
            blocks.Add(new BlockLocation(item.Name, 0, checked((int)item.Size), next, count));
            next += count;
        }

        return new S3SegmentLayout(blocks);
    }

    /// <summary>Index of the block holding <paramref name="entryId"/>, or -1.</summary>
    public int Find(long entryId)
    {
        int low = 0, high = Blocks.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            if (Blocks[mid].EndEntryId <= entryId)
            {
                low = mid + 1;
            }
            else if (Blocks[mid].FirstEntryId > entryId)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }

        return -1;
    }

    /// <summary>The footer describing this layout (offsets in the concatenation of the block objects).</summary>
    public SegmentFooter ToFooter(long segmentId, long writerEpoch)
    {
        var index = new List<BlockIndexEntry>(Blocks.Count);
        var objects = new List<SegmentObject>();
        long offset = 0;
        foreach (var block in Blocks)
        {
            index.Add(new BlockIndexEntry(offset, block.FirstEntryId, block.EntryCount, block.Length));
            if (objects.Count == 0 || objects[^1].Name != block.ObjectName)
            {
                objects.Add(new SegmentObject(block.ObjectName, block.Length));
            }
            else
            {
                objects[^1] = objects[^1] with { Length = objects[^1].Length + block.Length };
            }

            offset += block.Length;
        }

        return new SegmentFooter(segmentId, writerEpoch, EntryCount, offset, index) { Objects = objects };
    }
}
