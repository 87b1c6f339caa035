using System.Globalization;
using Woodpecker.Storage.Abstractions;

namespace Woodpecker.Storage.S3;

/// <summary>
/// The object key layout (docs/format.md, "Object storage layout"). Keys are built from numbers only, never from log
/// names. Under PREFIX/logs/LOG_ID/SEGMENT_ID/: blocks/FIRST-COUNT-LENGTH-EPOCH.blk (one per flushed block; the name says
/// which entries it holds, how many bytes it has and which writer epoch wrote it), compacted/GENERATION-INDEX.obj (merged blocks), fence
/// (written before anyone lists the blocks to end the segment; a writer that sees it acknowledges nothing more) and
/// footer (written last: the commit point of the segment's end).
/// </summary>
internal sealed class S3Keys
{
    public const string BlocksFolder = "blocks/";
    public const string CompactedFolder = "compacted/";

    private readonly string _prefix;

    public S3Keys(string prefix) => _prefix = prefix.Length == 0 ? "" : prefix + "/";

    /// <summary>Every key of this deployment starts with this (empty without a prefix).</summary>
    public string Root => _prefix;

    public string Log(long logId) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}logs/{logId:D12}/");

    public string Segment(SegmentAddress segment) => Log(segment.LogId) + segment.SegmentId.ToString("D12", CultureInfo.InvariantCulture) + "/";

    public string Object(SegmentAddress segment, string name) => Segment(segment) + name;

    public string Fence(SegmentAddress segment) => Segment(segment) + "fence";

    public string Footer(SegmentAddress segment) => Segment(segment) + "footer";

    public string ProbeKey => _prefix + "probe/conditional-write-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// The name of a block object. It carries the block's byte length so that an ending can tell a complete object
    /// from one still being uploaded: some S3-compatible stores (s3rver) list an object while its body streams in,
    /// or truncate it in place while an identical retry overwrites it.
    /// </summary>
    public static string BlockName(long firstEntryId, int entryCount, int blockLength, long writerEpoch) =>
        string.Create(CultureInfo.InvariantCulture, $"{BlocksFolder}{firstEntryId:D19}-{entryCount:D10}-{blockLength:D10}-{writerEpoch:D19}.blk");

    public static string CompactedName(int generation, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{CompactedFolder}{generation:D6}-{index:D6}.obj");

    /// <summary>Reads (first entry, entry count, byte length) back from a block object's name.</summary>
    public static bool TryParseBlockName(string name, out long firstEntryId, out int entryCount, out int blockLength)
    {
        firstEntryId = 0;
        entryCount = 0;
        blockLength = 0;
        if (!name.StartsWith(BlocksFolder, StringComparison.Ordinal) || !name.EndsWith(".blk", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = name[BlocksFolder.Length..^4].Split('-');
        return parts.Length == 4
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out firstEntryId)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out entryCount)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out blockLength)
            && entryCount > 0 && blockLength > 0;
    }

    /// <summary>Reads the generation back from a compacted object's name.</summary>
    public static int CompactedGeneration(string name) =>
        int.Parse(name.AsSpan(CompactedFolder.Length, 6), NumberStyles.None, CultureInfo.InvariantCulture);
}
