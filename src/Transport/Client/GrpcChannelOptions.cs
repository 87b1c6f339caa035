namespace Woodpecker.Transport;

/// <summary>Settings of a <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>How long establishing a connection may take (default 5 s); then calls fail with Unavailable.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest response message accepted (default 64 MiB).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest request message sent (default 64 MiB).</summary>
    public int MaxSendMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Idle time after which the connection is probed with an HTTP/2 PING (default 10 s): a peer that stopped answering
    /// (crashed host, frozen process) is detected even while a stream just waits for data.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a PING may stay unanswered before the connection is dropped (default 5 s).</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Replaces the HTTP handler (TLS settings, tests); the channel then does not own it.</summary>
    public HttpMessageHandler? Handler { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming an invalid setting.</summary>
    public void Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero || KeepAlivePingDelay <= TimeSpan.Zero || KeepAlivePingTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(GrpcChannelOptions)} timeouts must be positive.");
        }

        if (MaxReceiveMessageBytes <= 0 || MaxSendMessageBytes <= 0)
        {
            throw new ArgumentException($"{nameof(GrpcChannelOptions)} message limits must be positive.");
        }
    }
}
