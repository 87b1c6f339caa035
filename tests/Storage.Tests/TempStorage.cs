using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;
using Woodpecker.Storage.Local;

namespace Woodpecker.Storage.Tests;

/// <summary>A local backend over a fresh directory under the system temp directory, deleted on dispose.</summary>
internal sealed class TempStorage : IAsyncDisposable
{
    private TempStorage(string root, LocalSegmentStorage storage)
    {
        Root = root;
        Storage = storage;
    }

    public string Root { get; }

    public LocalSegmentStorage Storage { get; }

    public static TempStorage Create(int readChunkBytes = 64 * 1024)
    {
        var root = Path.Combine(Path.GetTempPath(), "woodpecker-storage-tests", Guid.NewGuid().ToString("N"));
        var storage = new LocalSegmentStorage(new LocalStorageOptions { RootDirectory = root, IoThreads = 2, ReadChunkBytes = readChunkBytes });
        return new TempStorage(root, storage);
    }

    public string DataPath(SegmentAddress segment) => Stem(segment) + ".data";

    public string FooterPath(SegmentAddress segment) => Stem(segment) + ".footer";

    public string FencePath(SegmentAddress segment) => Stem(segment) + ".fence";

    public string LogDirectory(long logId) => Path.Combine(Root, "logs", logId.ToString("D12", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes <paramref name="blockSizes"/>.Length blocks of entries <see cref="TestEntries.ForId"/> through a new writer;
    /// returns the writer (still open) and each block's index entry.
    /// </summary>
    public async Task<(ISegmentWriter Writer, List<BlockIndexEntry> Blocks)> WriteAsync(SegmentAddress segment, long epoch, params int[] blockSizes)
    {
        var writer = await Storage.CreateWriterAsync(segment, epoch, default);
        var blocks = new List<BlockIndexEntry>();
        await AppendAsync(writer, segment, epoch, blocks, blockSizes);
        return (writer, blocks);
    }

    public static async Task AppendAsync(ISegmentWriter writer, SegmentAddress segment, long epoch, List<BlockIndexEntry> blocks, params int[] blockSizes)
    {
        foreach (var size in blockSizes)
        {
            var first = blocks.Count == 0 ? 0 : blocks[^1].EndEntryId;
            var block = MakeBlock(segment.SegmentId, first, size, epoch);
            var offset = writer.BytesWritten;
            await writer.WriteBlockAsync(block, default);
            blocks.Add(new BlockIndexEntry(offset, first, size, block.Length));
        }
    }

    public static byte[] MakeBlock(long segmentId, long firstEntryId, int count, long epoch) =>
        TestEntries.Block(Enumerable.Range(0, count).Select(i => TestEntries.ForId(firstEntryId + i)), segmentId, firstEntryId, epoch);

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private string Stem(SegmentAddress segment) =>
        Path.Combine(LogDirectory(segment.LogId), segment.SegmentId.ToString("D12", System.Globalization.CultureInfo.InvariantCulture));
}
