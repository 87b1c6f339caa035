namespace Woodpecker.Storage.Abstractions;

/// <summary>Identifies a segment in storage by numbers only, never by user-supplied names.</summary>
/// <param name="LogId">The log's numeric id, assigned by metadata when the log was created.</param>
/// <param name="SegmentId">The segment's id within the log.</param>
public readonly record struct SegmentAddress(long LogId, long SegmentId)
{
    /// <inheritdoc />
    public override string ToString() => $"log {LogId} segment {SegmentId}";
}
