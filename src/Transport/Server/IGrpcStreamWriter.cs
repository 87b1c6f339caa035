namespace Woodpecker.Transport;

/// <summary>Writes the messages of a streaming response; each is sent (flushed) before WriteAsync completes.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IGrpcStreamWriter<in T>
{
    /// <summary>Sends one message.</summary>
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);
}
