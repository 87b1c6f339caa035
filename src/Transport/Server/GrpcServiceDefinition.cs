using Google.Protobuf;
using Woodpecker.Transport.Server;

namespace Woodpecker.Transport;

/// <summary>
/// A gRPC service to serve: its name and its methods with their handlers. Map it onto Kestrel with
/// <see cref="GrpcEndpointRouteBuilderExtensions.MapGrpcService"/>.
/// </summary>
public sealed class GrpcServiceDefinition
{
    private readonly List<ServerMethod> _methods = [];

    /// <summary>Creates an empty definition.</summary>
    /// <param name="serviceName">The fully qualified service name, e.g. "woodpecker.v1.LogService".</param>
    public GrpcServiceDefinition(string serviceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ServiceName = serviceName;
    }

    /// <summary>The fully qualified service name.</summary>
    public string ServiceName { get; }

    internal IReadOnlyList<ServerMethod> Methods => _methods;

    /// <summary>Adds a unary method: one request, one response.</summary>
    public GrpcServiceDefinition AddUnary<TRequest, TResponse>(
        string method, MessageParser<TRequest> parser, Func<TRequest, GrpcServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Add(new ServerMethod(method, async call =>
        {
            var request = await call.ReadAsync(parser, call.Context.CancellationToken).ConfigureAwait(false)
                ?? throw new GrpcStatusException(GrpcStatusCode.Internal, $"The call to {method} carried no request message.");
            var response = await handler(request, call.Context).ConfigureAwait(false);
            await call.WriteAsync(response, call.Context.CancellationToken).ConfigureAwait(false);
        }));

    /// <summary>Adds a server-streaming method: one request, a stream of responses.</summary>
    public GrpcServiceDefinition AddServerStreaming<TRequest, TResponse>(
        string method, MessageParser<TRequest> parser, Func<TRequest, IGrpcStreamWriter<TResponse>, GrpcServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Add(new ServerMethod(method, async call =>
        {
            var request = await call.ReadAsync(parser, call.Context.CancellationToken).ConfigureAwait(false)
                ?? throw new GrpcStatusException(GrpcStatusCode.Internal, $"The call to {method} carried no request message.");
            await handler(request, new ServerCall.Writer<TResponse>(call), call.Context).ConfigureAwait(false);
        }));

    /// <summary>Adds a bidirectional-streaming method.</summary>
    public GrpcServiceDefinition AddDuplexStreaming<TRequest, TResponse>(
        string method, MessageParser<TRequest> parser, Func<IGrpcStreamReader<TRequest>, IGrpcStreamWriter<TResponse>, GrpcServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Add(new ServerMethod(method, async call =>
        {
            await handler(new ServerCall.Reader<TRequest>(call, parser), new ServerCall.Writer<TResponse>(call), call.Context).ConfigureAwait(false);
        }));

    private GrpcServiceDefinition Add(ServerMethod method)
    {
        if (_methods.Any(m => m.Name == method.Name))
        {
            throw new InvalidOperationException($"{ServiceName}/{method.Name} is defined twice.");
        }

        _methods.Add(method);
        return this;
    }
}
