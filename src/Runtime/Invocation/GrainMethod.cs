using Google.Protobuf;

namespace Woodpecker.Runtime.Invocation;

/// <summary>
/// Describes one method of a grain interface: its globally unique name, how it is scheduled, how its messages
/// are parsed (for remote calls), and a delegate that invokes it on a grain instance. Dispatch goes through this
/// delegate, never through reflection.
/// </summary>
public abstract class GrainMethod
{
    private protected GrainMethod(string name, GrainMethodOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Options = options;
    }

    /// <summary>Unique name, for example "segment.Append". Used for remote dispatch and diagnostics.</summary>
    public string Name { get; }

    /// <summary>Scheduling and timeout options.</summary>
    public GrainMethodOptions Options { get; }

    /// <summary>Parses a request message from its protobuf encoding.</summary>
    public abstract IMessage ParseRequest(ReadOnlySpan<byte> data);

    /// <summary>Parses a response message from its protobuf encoding.</summary>
    public abstract IMessage ParseResponse(ReadOnlySpan<byte> data);

    /// <summary>
    /// Calls the method through <paramref name="invoker"/> with an already parsed request (remote dispatch, where the
    /// message types are known only at run time).
    /// </summary>
    public abstract Task<IMessage> InvokeUntypedAsync(
        IGrainCallInvoker invoker, GrainId target, IMessage request, TimeSpan? timeout, CancellationToken cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A grain method taking <typeparamref name="TRequest"/> and returning <typeparamref name="TResponse"/>.</summary>
/// <typeparam name="TGrain">The grain interface that declares the method.</typeparam>
/// <typeparam name="TRequest">The protobuf request message.</typeparam>
/// <typeparam name="TResponse">The protobuf response message.</typeparam>
public sealed class GrainMethod<TGrain, TRequest, TResponse> : GrainMethod
    where TGrain : class, IGrain
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Func<TGrain, TRequest, CancellationToken, Task<TResponse>> _invoke;
    private readonly MessageParser<TRequest> _requestParser;
    private readonly MessageParser<TResponse> _responseParser;

    /// <summary>Describes a method.</summary>
    /// <param name="name">Unique method name.</param>
    /// <param name="invoke">Calls the method on a grain instance.</param>
    /// <param name="requestParser">Parser of the request message.</param>
    /// <param name="responseParser">Parser of the response message.</param>
    /// <param name="options">Scheduling options; null for the defaults.</param>
    public GrainMethod(
        string name,
        Func<TGrain, TRequest, CancellationToken, Task<TResponse>> invoke,
        MessageParser<TRequest> requestParser,
        MessageParser<TResponse> responseParser,
        GrainMethodOptions? options = null)
        : base(name, options ?? GrainMethodOptions.Default)
    {
        _invoke = invoke;
        _requestParser = requestParser;
        _responseParser = responseParser;
    }

    /// <summary>Invokes the method on <paramref name="grain"/>.</summary>
    public Task<TResponse> Invoke(TGrain grain, TRequest request, CancellationToken cancellationToken) =>
        _invoke(grain, request, cancellationToken);

    /// <inheritdoc />
    public override async Task<IMessage> InvokeUntypedAsync(
        IGrainCallInvoker invoker, GrainId target, IMessage request, TimeSpan? timeout, CancellationToken cancellationToken) =>
        await invoker.InvokeAsync(target, this, (TRequest)request, timeout, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override IMessage ParseRequest(ReadOnlySpan<byte> data) => _requestParser.ParseFrom(data);

    /// <inheritdoc />
    public override IMessage ParseResponse(ReadOnlySpan<byte> data) => _responseParser.ParseFrom(data);
}
