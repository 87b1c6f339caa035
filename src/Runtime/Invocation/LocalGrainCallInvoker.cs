using Google.Protobuf;
using Woodpecker.Runtime.Activations;

namespace Woodpecker.Runtime.Invocation;

/// <summary>Delivers calls to activations in this process. Request objects are passed by reference, never copied.</summary>
internal sealed class LocalGrainCallInvoker : IGrainCallInvoker
{
    private readonly ActorRuntime _runtime;
    private readonly ActivationCatalog _catalog;

    public LocalGrainCallInvoker(ActorRuntime runtime, ActivationCatalog catalog)
    {
        _runtime = runtime;
        _catalog = catalog;
    }

    public Task<TResponse> InvokeAsync<TGrain, TRequest, TResponse>(
        GrainId target,
        GrainMethod<TGrain, TRequest, TResponse> method,
        TRequest request,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
        where TGrain : class, IGrain
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var effectiveTimeout = timeout ?? method.Options.Timeout ?? _runtime.Options.DefaultCallTimeout;
        var call = GrainCall<TGrain, TRequest, TResponse>.Create(target, method, request, effectiveTimeout, _runtime.TimeProvider, cancellationToken);
        _catalog.Dispatch(call);
        return call.Task;
    }
}
