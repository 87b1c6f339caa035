using Woodpecker.Grains.Messages;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime;

namespace Woodpecker.Grains.Logs;

/// <summary>
/// One log, keyed by its name: its metadata, its writer epoch (one writer at a time), its segment list, rolling,
/// truncation and garbage collection. Not on the append path: writers talk to segment grains directly and come here
/// only to open, roll and close.
/// </summary>
public interface ILogGrain : IGrain
{
    /// <summary>Creates the log. Throws LogAlreadyExistsException when it exists.</summary>
    Task<LogInfo> CreateAsync(CreateLogRequest request, CancellationToken cancellationToken);

    /// <summary>The log's metadata. Throws LogNotFoundException.</summary>
    Task<LogInfo> GetInfoAsync(GetLogRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes the log, fencing its writer; its stored data is deleted too.</summary>
    Task<DeleteLogResponse> DeleteAsync(DeleteLogRequest request, CancellationToken cancellationToken);

    /// <summary>Opens a writer: bumps the writer epoch (fencing any earlier writer) and completes every active segment.</summary>
    Task<WriterGrant> OpenWriterAsync(OpenWriterRequest request, CancellationToken cancellationToken);

    /// <summary>Creates the next segment for the writer holding <see cref="RollRequest.WriterEpoch"/>; throws WriterFencedException otherwise.</summary>
    Task<SegmentGrant> RollAsync(RollRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the next segment ahead of the roll of the writer holding <see cref="RollRequest.WriterEpoch"/>, while it
    /// still appends to <see cref="RollRequest.FromSegmentId"/>; its next <see cref="RollAsync"/> then hands it over
    /// without a metadata round trip. Answers the prepared segment's id, or -1 when the writer has rolled past.
    /// </summary>
    Task<SegmentGrant> PrepareRollAsync(RollRequest request, CancellationToken cancellationToken);

    /// <summary>The segments (long-polls until a segment after <see cref="SegmentsRequest.AfterSegmentId"/> exists, or the wait ends).</summary>
    Task<LogView> GetSegmentsAsync(SegmentsRequest request, CancellationToken cancellationToken);

    /// <summary>The segments, fresh from metadata, with live counts for active ones.</summary>
    Task<ListSegmentsResponse> ListSegmentsAsync(ListSegmentsRequest request, CancellationToken cancellationToken);

    /// <summary>The position of the last durable entry.</summary>
    Task<GetLastPositionResponse> GetLastPositionAsync(GetLastPositionRequest request, CancellationToken cancellationToken);

    /// <summary>Truncates the log up to a position (inclusive).</summary>
    Task<TruncateResponse> TruncateAsync(TruncateRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes truncated segments whose retention has passed and that no reader needs.</summary>
    Task<CollectResponse> CollectAsync(CollectRequest request, CancellationToken cancellationToken);
}
