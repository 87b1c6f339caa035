using System.Globalization;
using Woodpecker.Grains.Messages;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime.Invocation;

namespace Woodpecker.Grains.Segments;

/// <summary>Method descriptors, key format and the proxy of <see cref="ISegmentGrain"/>.</summary>
public static class SegmentGrainInterface
{
    /// <summary>Grain type name.</summary>
    public const string TypeName = "segment";

    // Appends and reads wait (for durability, for new entries) without holding the grain: they interleave.
    internal static readonly GrainMethod<ISegmentGrain, AppendBatch, AppendResult> Append =
        new("segment.Append", (g, r, ct) => g.AppendAsync(r, ct), AppendBatch.Parser, AppendResult.Parser,
            new GrainMethodOptions { AlwaysInterleave = true });

    internal static readonly GrainMethod<ISegmentGrain, CompleteSegmentRequest, SegmentInfo> Complete =
        new("segment.Complete", (g, r, ct) => g.CompleteAsync(r, ct), CompleteSegmentRequest.Parser, SegmentInfo.Parser);

    internal static readonly GrainMethod<ISegmentGrain, SegmentReadRequest, SegmentReadResponse> Read =
        new("segment.Read", (g, r, ct) => g.ReadAsync(r, ct), SegmentReadRequest.Parser, SegmentReadResponse.Parser,
            new GrainMethodOptions { AlwaysInterleave = true });

    internal static readonly GrainMethod<ISegmentGrain, SegmentStateRequest, SegmentInfo> GetState =
        new("segment.GetState", (g, r, ct) => g.GetStateAsync(r, ct), SegmentStateRequest.Parser, SegmentInfo.Parser,
            new GrainMethodOptions { AlwaysInterleave = true });

    /// <summary>The interface descriptor.</summary>
    public static readonly GrainInterface<ISegmentGrain> Descriptor = new(
        TypeName, reference => new Proxy(reference), Append, Complete, Read, GetState);

    /// <summary>The grain key of a segment.</summary>
    public static string Key(long logId, long segmentId) =>
        string.Create(CultureInfo.InvariantCulture, $"{logId}/{segmentId}");

    /// <summary>Parses a key made by <see cref="Key"/>.</summary>
    public static (long LogId, long SegmentId) ParseKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !long.TryParse(key.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var log)
            || !long.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var segment))
        {
            throw new ArgumentException($"'{key}' is not a segment grain key (LOG_ID/SEGMENT_ID).", nameof(key));
        }

        return (log, segment);
    }

    private sealed class Proxy(GrainReference reference) : ISegmentGrain
    {
        public Task<AppendResult> AppendAsync(AppendBatch request, CancellationToken cancellationToken) => reference.InvokeAsync(Append, request, cancellationToken);

        public Task<SegmentInfo> CompleteAsync(CompleteSegmentRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(Complete, request, cancellationToken);

        public Task<SegmentReadResponse> ReadAsync(SegmentReadRequest request, CancellationToken cancellationToken) =>
            reference.InvokeAsync(Read, request, cancellationToken, GrainTimeouts.ForWait(request.WaitMs));

        public Task<SegmentInfo> GetStateAsync(SegmentStateRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(GetState, request, cancellationToken);
    }
}
