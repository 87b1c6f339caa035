using Google.Protobuf;

namespace Woodpecker.Runtime.Invocation;

/// <summary>
/// Delivers grain calls. The local runtime delivers to activations in this process; the cluster runtime
/// decides where the activation lives and delivers locally or over the transport. Grain references call
/// through this interface only, which is what keeps grains independent of placement and transport.
/// </summary>
public interface IGrainCallInvoker
{
    /// <summary>Calls <paramref name="method"/> on grain <paramref name="target"/>.</summary>
    /// <param name="target">The grain to call.</param>
    /// <param name="method">The method to call.</param>
    /// <param name="request">The request message. The callee must not modify it.</param>
    /// <param name="timeout">Overrides the method's timeout; null keeps it.</param>
    /// <param name="cancellationToken">Cancels waiting for the response (and the call, if it has not started).</param>
    Task<TResponse> InvokeAsync<TGrain, TRequest, TResponse>(
        GrainId target,
        GrainMethod<TGrain, TRequest, TResponse> method,
        TRequest request,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
        where TGrain : class, IGrain
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>;
}
