using Microsoft.Extensions.Logging;

namespace Woodpecker.Grains.Diagnostics;

/// <summary>Source-generated log messages of the log grains (event ids 2000–2099).</summary>
internal static partial class GrainLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Flushing a block of segment {Segment} failed; the segment stops accepting appends and will be recovered")]
    public static partial void FlushFailed(ILogger logger, string segment, Exception exception);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Segment {Segment} completed with {Entries} entries ({Reason})")]
    public static partial void SegmentCompleted(ILogger logger, string segment, long entries, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Segment {Segment} was found active without a live writer; recovering it from storage")]
    public static partial void RecoveringSegment(ILogger logger, string segment);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Critical, Message = "Segment {Segment}: storage holds {Stored} entries but {Acknowledged} were acknowledged")]
    public static partial void AcknowledgedEntriesMissing(ILogger logger, string segment, long stored, long acknowledged);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Completing segment {Segment} in the background failed")]
    public static partial void BackgroundCompletionFailed(ILogger logger, string segment, Exception exception);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Log {Log}: writer epoch {Epoch} opened")]
    public static partial void WriterOpened(ILogger logger, string log, long epoch);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Log {Log}: deleted segment {Segment} below the truncation point")]
    public static partial void SegmentCollected(ILogger logger, string log, long segment);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Garbage collection of log id {LogId} failed; it is retried later")]
    public static partial void CollectionFailed(ILogger logger, long logId, Exception exception);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Renewing the reader lease failed; reader registrations are re-created")]
    public static partial void ReaderLeaseFailed(ILogger logger, Exception exception);
}
