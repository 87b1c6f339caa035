using System.Runtime.CompilerServices;
using Google.Protobuf;
using Woodpecker.Transport.Client;

namespace Woodpecker.Transport;

/// <summary>A server-streaming call in progress. Dispose it to cancel the call if it has not ended.</summary>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcServerStreamingCall<TResponse> : IAsyncDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientCall<TResponse> _call;

    internal GrpcServerStreamingCall(ClientCall<TResponse> call) => _call = call;

    /// <summary>Trailers other than grpc-status/grpc-message, once the call ended.</summary>
    public IReadOnlyDictionary<string, string> Trailers => _call.Trailers;

    /// <summary>The next message, or null once the server ended the stream with OK.</summary>
    public ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken = default) => _call.ReadAsync(cancellationToken);

    /// <summary>Every message until the server ends the stream; throws <see cref="GrpcStatusException"/> when it ends with an error.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _call.ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _call.DisposeAsync();
}
