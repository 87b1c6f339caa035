using Google.Protobuf;

namespace Woodpecker.Runtime.Invocation;

/// <summary>
/// The addressable handle behind every grain proxy: an identity plus the invoker that delivers calls.
/// Cheap to create; holds no connection or activation.
/// </summary>
public sealed class GrainReference
{
    private readonly IGrainCallInvoker _invoker;

    /// <summary>Creates a reference.</summary>
    public GrainReference(GrainId id, IGrainCallInvoker invoker)
    {
        Id = id;
        _invoker = invoker;
    }

    /// <summary>The grain this reference points to.</summary>
    public GrainId Id { get; }

    /// <summary>Calls a method of the grain.</summary>
    public Task<TResponse> InvokeAsync<TGrain, TRequest, TResponse>(
        GrainMethod<TGrain, TRequest, TResponse> method,
        TRequest request,
        CancellationToken cancellationToken,
        TimeSpan? timeout = null)
        where TGrain : class, IGrain
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        _invoker.InvokeAsync(Id, method, request, timeout, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Id.ToString();
}
