using Woodpecker.Grains.Messages;
using Woodpecker.Protocol.V1;
using Woodpecker.Runtime.Invocation;

namespace Woodpecker.Grains.Logs;

/// <summary>Method descriptors and the proxy of <see cref="ILogGrain"/>.</summary>
public static class LogGrainInterface
{
    /// <summary>Grain type name.</summary>
    public const string TypeName = "log";

    internal static readonly GrainMethod<ILogGrain, CreateLogRequest, LogInfo> Create =
        new("log.Create", (g, r, ct) => g.CreateAsync(r, ct), CreateLogRequest.Parser, LogInfo.Parser);

    internal static readonly GrainMethod<ILogGrain, GetLogRequest, LogInfo> GetInfo =
        new("log.GetInfo", (g, r, ct) => g.GetInfoAsync(r, ct), GetLogRequest.Parser, LogInfo.Parser);

    internal static readonly GrainMethod<ILogGrain, DeleteLogRequest, DeleteLogResponse> Delete =
        new("log.Delete", (g, r, ct) => g.DeleteAsync(r, ct), DeleteLogRequest.Parser, DeleteLogResponse.Parser);

    internal static readonly GrainMethod<ILogGrain, OpenWriterRequest, WriterGrant> OpenWriter =
        new("log.OpenWriter", (g, r, ct) => g.OpenWriterAsync(r, ct), OpenWriterRequest.Parser, WriterGrant.Parser);

    internal static readonly GrainMethod<ILogGrain, RollRequest, SegmentGrant> Roll =
        new("log.Roll", (g, r, ct) => g.RollAsync(r, ct), RollRequest.Parser, SegmentGrant.Parser);

    internal static readonly GrainMethod<ILogGrain, RollRequest, SegmentGrant> PrepareRoll =
        new("log.PrepareRoll", (g, r, ct) => g.PrepareRollAsync(r, ct), RollRequest.Parser, SegmentGrant.Parser);

    // Interleaves: it may wait for a new segment, which only a Roll turn can create.
    internal static readonly GrainMethod<ILogGrain, SegmentsRequest, LogView> GetSegments =
        new("log.GetSegments", (g, r, ct) => g.GetSegmentsAsync(r, ct), SegmentsRequest.Parser, LogView.Parser,
            new GrainMethodOptions { AlwaysInterleave = true });

    internal static readonly GrainMethod<ILogGrain, ListSegmentsRequest, ListSegmentsResponse> ListSegments =
        new("log.ListSegments", (g, r, ct) => g.ListSegmentsAsync(r, ct), ListSegmentsRequest.Parser, ListSegmentsResponse.Parser);

    internal static readonly GrainMethod<ILogGrain, GetLastPositionRequest, GetLastPositionResponse> GetLastPosition =
        new("log.GetLastPosition", (g, r, ct) => g.GetLastPositionAsync(r, ct), GetLastPositionRequest.Parser, GetLastPositionResponse.Parser);

    internal static readonly GrainMethod<ILogGrain, TruncateRequest, TruncateResponse> Truncate =
        new("log.Truncate", (g, r, ct) => g.TruncateAsync(r, ct), TruncateRequest.Parser, TruncateResponse.Parser);

    internal static readonly GrainMethod<ILogGrain, CollectRequest, CollectResponse> Collect =
        new("log.Collect", (g, r, ct) => g.CollectAsync(r, ct), CollectRequest.Parser, CollectResponse.Parser);

    /// <summary>The interface descriptor.</summary>
    public static readonly GrainInterface<ILogGrain> Descriptor = new(
        TypeName, reference => new Proxy(reference),
        Create, GetInfo, Delete, OpenWriter, Roll, PrepareRoll, GetSegments, ListSegments, GetLastPosition, Truncate, Collect);

    private sealed class Proxy(GrainReference reference) : ILogGrain
    {
        public Task<LogInfo> CreateAsync(CreateLogRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(Create, request, cancellationToken);

        public Task<LogInfo> GetInfoAsync(GetLogRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(GetInfo, request, cancellationToken);

        public Task<DeleteLogResponse> DeleteAsync(DeleteLogRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(Delete, request, cancellationToken);

        public Task<WriterGrant> OpenWriterAsync(OpenWriterRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(OpenWriter, request, cancellationToken);

        public Task<SegmentGrant> RollAsync(RollRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(Roll, request, cancellationToken);

        public Task<SegmentGrant> PrepareRollAsync(RollRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(PrepareRoll, request, cancellationToken);

        public Task<LogView> GetSegmentsAsync(SegmentsRequest request, CancellationToken cancellationToken) =>
            reference.InvokeAsync(GetSegments, request, cancellationToken, GrainTimeouts.ForWait(request.WaitMs));

        public Task<ListSegmentsResponse> ListSegmentsAsync(ListSegmentsRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(ListSegments, request, cancellationToken);

        public Task<GetLastPositionResponse> GetLastPositionAsync(GetLastPositionRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(GetLastPosition, request, cancellationToken);

        public Task<TruncateResponse> TruncateAsync(TruncateRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(Truncate, request, cancellationToken);

        public Task<CollectResponse> CollectAsync(CollectRequest request, CancellationToken cancellationToken) => reference.InvokeAsync(Collect, request, cancellationToken);
    }
}
