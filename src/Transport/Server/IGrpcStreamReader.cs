namespace Woodpecker.Transport;

/// <summary>Reads the messages of a streaming request.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IGrpcStreamReader<T>
{
    /// <summary>The next message, or null once the client finished sending.</summary>
    ValueTask<T?> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>Every remaining message.</summary>
    IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default);
}
