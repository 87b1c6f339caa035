namespace Woodpecker.Transport;

/// <summary>Per-call settings.</summary>
/// <param name="Timeout">Deadline of the call, sent as grpc-timeout and enforced locally (DeadlineExceeded); null for none.</param>
/// <param name="CancellationToken">Cancels the call (the stream is reset; the server's token fires).</param>
/// <param name="Headers">Extra request headers (metadata).</param>
#pragma warning disable CA1068 // Positional order (timeout first) mirrors how calls are written: new(timeout, token).
public readonly record struct GrpcCallOptions(
    TimeSpan? Timeout = null,
    CancellationToken CancellationToken = default,
    IReadOnlyDictionary<string, string>? Headers = null);
#pragma warning restore CA1068
