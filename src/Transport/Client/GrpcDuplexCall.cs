using System.Runtime.CompilerServices;
using Google.Protobuf;
using Woodpecker.Transport.Client;

namespace Woodpecker.Transport;

/// <summary>A bidirectional-streaming call in progress. Dispose it to cancel the call if it has not ended.</summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcDuplexCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientCall<TResponse> _call;
    private readonly StreamingRequestContent _requests;
    private bool _completed;

    internal GrpcDuplexCall(ClientCall<TResponse> call, StreamingRequestContent requests)
    {
        _call = call;
        _requests = requests;
    }

    /// <summary>Trailers other than grpc-status/grpc-message, once the call ended.</summary>
    public IReadOnlyDictionary<string, string> Trailers => _call.Trailers;

    /// <summary>
    /// Sends one request message; completes once it is flushed to the stream. Throws the call's status when the call
    /// ended with one, <see cref="GrpcStatusException"/> (Unavailable) when the connection broke.
    /// </summary>
    public async ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            throw new InvalidOperationException("CompleteRequestsAsync was called; no more requests can be sent.");
        }

        try
        {
            await _requests.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not GrpcStatusException)
        {
            throw _call.WriteFailure(ex, cancellationToken);
        }
    }

    /// <summary>Tells the server that no more requests come (half-close).</summary>
    public ValueTask CompleteRequestsAsync()
    {
        _completed = true;
        _requests.Complete();
        return ValueTask.CompletedTask;
    }

    /// <summary>The next response, or null once the server ended the call with OK.</summary>
    public ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken = default) => _call.ReadAsync(cancellationToken);

    /// <summary>Every response until the server ends the call.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _call.ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _requests.Complete();
        await _call.DisposeAsync().ConfigureAwait(false);
        _requests.Dispose();
    }
}
