using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.S3;

/// <summary>
/// Segments on S3-compatible object storage (MemoryBuffer mode): each flushed block is one object; ending a segment
/// writes a fence, lists the blocks, and writes the footer last. Fencing never relies on conditional writes: a writer
/// acknowledges a block only after its upload finished and a check found no fence, and whoever ends a segment lists
/// its blocks only after the fence is stored — so every acknowledged block is in the segment, and nothing uploaded
/// later is. Where the store honours If-None-Match, uploads use it as an extra guard (no block or footer is ever
/// overwritten). See docs/format.md for the key layout.
/// </summary>
public sealed class S3SegmentStorage : ISegmentStorage
{
    private readonly S3Keys _keys;
    private readonly ILogger _logger;

    private S3SegmentStorage(S3StorageOptions options, S3Gateway gateway, ILogger logger)
    {
        Options = options;
        Gateway = gateway;
        _keys = new S3Keys(options.KeyPrefix);
        _logger = logger;
        // Twice as many blocks in flight as uploads: each block's fence check (a HEAD after its PUT) then overlaps
        // the next block's PUT instead of idling an upload slot for a round trip. The writer keeps the PUTs
        // themselves to MaxConcurrentUploads.
        FlushPolicy = new StorageFlushPolicy(options.MaxBlockBytes, options.MaxFlushDelay, 2 * options.MaxConcurrentUploads);
    }

    /// <inheritdoc />
    public string Kind => "s3";

    /// <inheritdoc />
    public StorageFlushPolicy FlushPolicy { get; }

    /// <inheritdoc />
    public StorageRequestCounts TotalRequestCounts => Gateway.Total;

    /// <summary>True when the store honours conditional writes and uploads use them.</summary>
    public bool UsesConditionalWrites => Gateway.ConditionalWrites;

    internal S3StorageOptions Options { get; }

    internal S3Gateway Gateway { get; }

    internal S3Keys Keys => _keys;

    /// <summary>Connects: checks (or creates) the bucket and probes for conditional writes.</summary>
    public static async Task<S3SegmentStorage> StartAsync(
        S3StorageOptions options, TimeProvider? timeProvider = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        logger ??= NullLogger.Instance;
        var gateway = new S3Gateway(options, timeProvider ?? TimeProvider.System, logger);
        var storage = new S3SegmentStorage(options, gateway, logger);
        try
        {
            await gateway.StartAsync(storage._keys, cancellationToken).ConfigureAwait(false);
            return storage;
        }
        catch
        {
            gateway.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public StorageRequestCounts GetRequestCounts(long logId) => Gateway.CountsFor(logId);

    /// <inheritdoc />
    public async Task<ISegmentWriter> CreateWriterAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken)
    {
        // A segment is written by the activation that created it; one that already holds blocks or a fence has had a
        // writer before, and must be recovered rather than continued.
        var existing = await Gateway.ListAsync(_keys.Segment(segment), segment.LogId, cancellationToken).ConfigureAwait(false);
        if (existing.Any(o => o.Name is "fence" or "footer"))
        {
            throw new WriterFencedException($"{segment} was already completed or recovered; it cannot be written again.");
        }

        if (existing.Count > 0)
        {
            throw new StorageUnavailableException($"{segment} already holds {existing.Count} objects; a new segment must start empty.");
        }

        return new S3SegmentWriter(this, segment, writerEpoch);
    }

    /// <inheritdoc />
    public async Task<ISegmentReader> OpenReaderAsync(SegmentAddress segment, CancellationToken cancellationToken) =>
        new S3SegmentReader(this, segment, await TryReadFooterAsync(segment, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<SegmentFooter?> TryReadFooterAsync(SegmentAddress segment, CancellationToken cancellationToken)
    {
        var bytes = await Gateway.GetAsync(_keys.Footer(segment), 0, -1, segment.LogId, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Decode(segment, bytes);
    }

    /// <inheritdoc />
    public Task<SegmentFooter> RecoverAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken) =>
        EndSegmentAsync(segment, writerEpoch, cancellationToken);

    /// <inheritdoc />
    public async Task DeleteSegmentAsync(SegmentAddress segment, CancellationToken cancellationToken)
    {
        var prefix = _keys.Segment(segment);
        var objects = await Gateway.ListAsync(prefix, segment.LogId, cancellationToken).ConfigureAwait(false);

        // The footer goes first: a segment without its footer but with its blocks would look active, not deleted.
        var keys = objects.OrderBy(o => o.Name == "footer" ? 0 : 1).Select(o => prefix + o.Name).ToList();
        await Gateway.DeleteAsync(keys, segment.LogId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteLogAsync(long logId, CancellationToken cancellationToken)
    {
        var prefix = _keys.Log(logId);
        var objects = await Gateway.ListAsync(prefix, logId, cancellationToken).ConfigureAwait(false);
        await Gateway.DeleteAsync(objects.Select(o => prefix + o.Name).ToList(), logId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public bool SupportsCompaction => true;

    /// <inheritdoc />
    public async Task<CompactionResult?> CompactAsync(SegmentAddress segment, CancellationToken cancellationToken)
    {
        var footer = await TryReadFooterAsync(segment, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{segment} has no footer; only completed segments are compacted.");
        var needed = Math.Max(1, (int)Math.Ceiling(footer.DataLength / (double)Options.CompactionTargetBytes));
        if (footer.Objects.Count <= needed || footer.DataLength / footer.Objects.Count >= Options.CompactionMinMeanObjectBytes)
        {
            // Nothing to merge, or objects large already (a writer that filled its blocks): re-reading and re-writing
            // them would double the store traffic while active writers upload, to save a few cheap GETs later.
            return null;
        }

        var layout = S3SegmentLayout.FromFooter(footer);
        var generation = footer.Objects.Where(o => o.Name.StartsWith(S3Keys.CompactedFolder, StringComparison.Ordinal))
            .Select(o => S3Keys.CompactedGeneration(o.Name)).DefaultIfEmpty(0).Max() + 1;
        var objects = new List<SegmentObject>();
        var index = new List<BlockIndexEntry>(layout.Blocks.Count);
        long offset = 0;
        var at = 0;
        while (at < layout.Blocks.Count)
        {
            // One merged object: consecutive blocks up to the target size (a block is never split).
            var end = at;
            long size = 0;
            while (end < layout.Blocks.Count && (end == at || size + layout.Blocks[end].Length <= Options.CompactionTargetBytes))
            {
                size += layout.Blocks[end].Length;
                end++;
            }

            var merged = new byte[size];
            var position = 0;
            for (var i = at; i < end; i++)
            {
                var block = layout.Blocks[i];
                var bytes = await Gateway.GetAsync(_keys.Object(segment, block.ObjectName), block.OffsetInObject, block.Length, segment.LogId, cancellationToken).ConfigureAwait(false)
                    ?? throw new StorageCorruptedException($"{segment}: object '{block.ObjectName}' listed in its footer is missing; compaction stopped and changed nothing.");
                S3SegmentReader.Validate(segment, block, bytes, this);
                bytes.CopyTo(merged, position);
                index.Add(new BlockIndexEntry(offset + position, block.FirstEntryId, block.EntryCount, block.Length));
                position += block.Length;
            }

            var name = S3Keys.CompactedName(generation, objects.Count);
            await Gateway.PutAsync(_keys.Object(segment, name), merged, ifNoneMatch: false, segment.LogId, cancellationToken).ConfigureAwait(false);
            objects.Add(new SegmentObject(name, size));
            offset += size;
            at = end;
        }

        // The new footer is the commit point: before it, readers use the old objects; after it, the new ones.
        var compacted = new SegmentFooter(footer.SegmentId, footer.WriterEpoch, footer.EntryCount, offset, index) { Objects = objects };
        await Gateway.PutAsync(_keys.Footer(segment), compacted.Encode(), ifNoneMatch: false, segment.LogId, cancellationToken).ConfigureAwait(false);
        S3Log.Compacted(_logger, segment, footer.Objects.Count, objects.Count);
        return new CompactionResult(compacted, footer.Objects.Select(o => o.Name).ToList());
    }

    /// <inheritdoc />
    public Task DeleteReplacedObjectsAsync(SegmentAddress segment, IReadOnlyList<string> objects, CancellationToken cancellationToken) =>
        Gateway.DeleteAsync(objects.Select(o => _keys.Object(segment, o)).ToList(), segment.LogId, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Gateway.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Ends a segment: fence first, then list, then the footer — the same path for a writer completing its own segment
    /// and for a recovery, since the writer cannot know whether another activation is recovering it concurrently.
    /// Returns the footer already stored when there is one (the first footer wins where the store supports
    /// If-None-Match; otherwise metadata decides, and readers never read past the entry count it records).
    /// </summary>
    internal async Task<SegmentFooter> EndSegmentAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken)
    {
        var fence = _keys.Fence(segment);
        if (!await Gateway.ExistsAsync(fence, segment.LogId, cancellationToken).ConfigureAwait(false))
        {
            await Gateway.PutAsync(fence, System.Text.Encoding.ASCII.GetBytes(writerEpoch.ToString(CultureInfo.InvariantCulture)), ifNoneMatch: true, segment.LogId, cancellationToken).ConfigureAwait(false);
        }

        if (await TryReadFooterAsync(segment, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var listing = await Gateway.ListAsync(_keys.Segment(segment) + S3Keys.BlocksFolder, segment.LogId, cancellationToken).ConfigureAwait(false);
        var layout = S3SegmentLayout.FromListing(listing.Select(o => o with { Name = S3Keys.BlocksFolder + o.Name }));
        var footer = layout.ToFooter(segment.SegmentId, writerEpoch);
        if (!await Gateway.PutAsync(_keys.Footer(segment), footer.Encode(), ifNoneMatch: true, segment.LogId, cancellationToken).ConfigureAwait(false))
        {
            return await TryReadFooterAsync(segment, cancellationToken).ConfigureAwait(false)
                ?? throw new StorageUnavailableException($"{segment}: the store refused the footer as existing but returned none.");
        }

        return footer;
    }

    private SegmentFooter Decode(SegmentAddress segment, byte[] bytes)
    {
        var footer = SegmentFooter.TryDecode(bytes, out var problem)
            ?? throw new StorageCorruptedException($"The footer of {segment} ('{_keys.Footer(segment)}') is invalid: {problem}.");
        return footer.SegmentId == segment.SegmentId
            ? footer
            : throw new StorageCorruptedException($"'{_keys.Footer(segment)}' holds the footer of segment {footer.SegmentId}, not {segment.SegmentId}.");
    }
}
