namespace Woodpecker.Client;

/// <summary>One segment of a log.</summary>
/// <param name="SegmentId">The segment's id.</param>
/// <param name="State">Its life-cycle state.</param>
/// <param name="EntryCount">Durable entries it holds.</param>
/// <param name="SizeBytes">Stored bytes.</param>
/// <param name="WriterEpoch">Epoch of the writer that wrote it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CompletedAt">When it was completed; null while active.</param>
public sealed record SegmentDescription(
    long SegmentId, SegmentState State, long EntryCount, long SizeBytes, long WriterEpoch, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>Life cycle of a segment.</summary>
public enum SegmentState
{
    /// <summary>Being written.</summary>
    Active,

    /// <summary>Closed; its end is final.</summary>
    Completed,

    /// <summary>Completed and compacted.</summary>
    Sealed,

    /// <summary>Below the truncation point, waiting to be deleted.</summary>
    Truncated,
}
