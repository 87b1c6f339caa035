using Woodpecker.Grains.Messages;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime;

namespace Woodpecker.Grains.Segments;

/// <summary>
/// The active segment of a log, keyed "LOG_ID/SEGMENT_ID": owns the write buffer, assigns entry ids, builds blocks,
/// makes them durable (group commit), acknowledges strictly in order, keeps recent entries for tail readers, and
/// completes the segment (footer, then metadata) when it rolls, idles, or is fenced.
/// </summary>
public interface ISegmentGrain : IGrain
{
    /// <summary>Appends a batch; completes when every entry of it is durable.</summary>
    Task<AppendResult> AppendAsync(AppendBatch request, CancellationToken cancellationToken);

    /// <summary>Completes the segment: no more appends, pending blocks flushed, footer and metadata written.</summary>
    Task<SegmentInfo> CompleteAsync(CompleteSegmentRequest request, CancellationToken cancellationToken);

    /// <summary>Reads recent entries from memory, or says where to read instead; may wait for new entries.</summary>
    Task<SegmentReadResponse> ReadAsync(SegmentReadRequest request, CancellationToken cancellationToken);

    /// <summary>The segment's current state and durable entry count.</summary>
    Task<SegmentInfo> GetStateAsync(SegmentStateRequest request, CancellationToken cancellationToken);
}
