using Microsoft.Extensions.Logging;

namespace Woodpecker.Storage.S3;

/// <summary>Source-generated log messages of the S3 backend (event ids 4000–4049).</summary>
internal static partial class S3Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Object store {Store}: conditional writes (If-None-Match) supported: {Supported}")]
    public static partial void ConditionalWrites(ILogger logger, string store, bool supported);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "{What} failed (attempt {Attempt} of {Attempts}): {Error}; retrying")]
    public static partial void RequestRetried(ILogger logger, string what, int attempt, int attempts, string error);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Compacted {Segment}: {Blocks} block objects into {Objects} objects")]
    public static partial void Compacted(ILogger logger, Woodpecker.Storage.Abstractions.SegmentAddress segment, int blocks, int objects);
}
