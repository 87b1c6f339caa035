using Google.Protobuf;
using Woodpecker.Cluster.Membership;
using Woodpecker.Cluster.Protocol;
using Woodpecker.Runtime;
using Woodpecker.Runtime.Directory;
using Woodpecker.Transport;

namespace Woodpecker.Cluster.Messaging;

/// <summary>
/// The silo-to-silo endpoint: one unary gRPC method that delivers a grain call to this silo's activations. It never
/// forwards: when the grain lives elsewhere it answers with a redirect, and the caller (which has the deadline and the
/// retry budget) goes there itself, so a call takes a bounded number of hops and no silo holds calls for others.
/// </summary>
public static class SiloMessagingService
{
    /// <summary>The gRPC service name.</summary>
    public const string ServiceName = "woodpecker.cluster.v1.SiloMessaging";

    /// <summary>The full method path of Invoke.</summary>
    public const string InvokeMethod = "/" + ServiceName + "/Invoke";

    /// <summary>Defines the service for <paramref name="runtime"/>.</summary>
    public static GrpcServiceDefinition Create(ActorRuntime runtime, ClusterMembership membership, IRemoteErrorCodec codec) =>
        new GrpcServiceDefinition(ServiceName).AddUnary<GrainCallRequest, GrainCallResponse>(
            "Invoke",
            GrainCallRequest.Parser,
            (request, context) => InvokeAsync(runtime, membership, codec, request, context));

    private static async Task<GrainCallResponse> InvokeAsync(
        ActorRuntime runtime, ClusterMembership membership, IRemoteErrorCodec codec, GrainCallRequest request, GrpcServerCallContext context)
    {
        var siloId = membership.LocalSilo.SiloId;
        if (!membership.IsServing || runtime.IsStopped)
        {
            return Failure(FailureKind.NotExecuted, 0, $"silo '{siloId}' is not serving");
        }

        if (!runtime.Registry.TryGetMethod(request.Method, out var method) || !runtime.Registry.HostsType(request.GrainType))
        {
            return Failure(FailureKind.UnknownMethod, 0, $"silo '{siloId}' does not host {request.GrainType}.{request.Method}; are all silos the same version?");
        }

        IMessage message;
        try
        {
            message = method.ParseRequest(request.Request.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GrpcStatusException(GrpcStatusCode.InvalidArgument, $"The request of {request.Method} could not be parsed: {ex.Message}");
        }

        var grain = new GrainId(request.GrainType, request.GrainKey);
        var timeout = request.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(request.TimeoutMs) : (TimeSpan?)null;
        IMessage response;
        try
        {
            response = await method.InvokeUntypedAsync(runtime.LocalInvoker, grain, message, timeout, context.CancellationToken).ConfigureAwait(false);
        }
        catch (GrainNotOwnedHereException redirect)
        {
            return new GrainCallResponse { Redirect = new Redirect { OwnerSiloId = redirect.OwnerSiloId, OwnerEpoch = redirect.OwnerEpoch } };
        }
        catch (SiloNotServingException notServing)
        {
            return Failure(FailureKind.NotExecuted, 0, notServing.Message);
        }
        catch (ObjectDisposedException) when (runtime.IsStopped)
        {
            return Failure(FailureKind.NotExecuted, 0, $"silo '{siloId}' is shutting down");
        }
        catch (GrainActivationException activation) when (!membership.IsServing)
        {
            return Failure(FailureKind.NotExecuted, 0, activation.Message);
        }
        catch (GrainCallTimeoutException timedOut)
        {
            return Failure(FailureKind.Timeout, 0, timedOut.Message);
        }
        catch (GrainOverloadedException overloaded)
        {
            return Failure(FailureKind.Overloaded, 0, overloaded.Message);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Every other failure is the grain method's own error: it travels back to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var (code, text) = codec.Encode(ex);
            return Failure(FailureKind.Application, code, text);
        }

        if (!membership.IsServing)
        {
            // The lease lapsed while the call ran: another silo may own the grain now, so this answer cannot be vouched for.
            return Failure(FailureKind.OutcomeUnknown, 0, $"silo '{siloId}' lost its cluster lease while the call ran");
        }

        return new GrainCallResponse { Response = response.ToByteString() };
    }

    private static GrainCallResponse Failure(FailureKind kind, int code, string message) =>
        new() { Failure = new CallFailure { Kind = kind, Code = code, Message = message } };
}
