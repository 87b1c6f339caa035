using Woodpecker.Storage.Format;

namespace Woodpecker.Grains.Segments;

/// <summary>A block being filled, waiting for a flush slot, or being flushed; its waiters share one promise.</summary>
internal sealed class PendingBlock
{
    public PendingBlock(BlockBuilder builder, long firstEntryId, long createdTimestamp)
    {
        Builder = builder;
        FirstEntryId = firstEntryId;
        CreatedTimestamp = createdTimestamp;
    }

    /// <summary>The encoded block; after the flush it moves to the tail cache.</summary>
    public BlockBuilder Builder { get; }

    public long FirstEntryId { get; }

    public long CreatedTimestamp { get; }

    public long PayloadBytes { get; set; }

    public long EndEntryId => FirstEntryId + Builder.EntryCount;

    /// <summary>Completes when the block is durable; fails when it, or an earlier block, could not be made durable.</summary>
    public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool WriteFinished { get; set; }

    public Exception? WriteError { get; set; }

    public long FlushStartedTimestamp { get; set; }
}
