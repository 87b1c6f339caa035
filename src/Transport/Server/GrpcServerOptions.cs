namespace Woodpecker.Transport;

/// <summary>Limits of a served gRPC service.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted (default 64 MiB); larger ones end the call with ResourceExhausted.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest response message sent (default 64 MiB).</summary>
    public int MaxSendMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming an invalid setting.</summary>
    public void Validate()
    {
        if (MaxReceiveMessageBytes <= 0 || MaxSendMessageBytes <= 0)
        {
            throw new ArgumentException($"{nameof(GrpcServerOptions)} message limits must be positive (got {MaxReceiveMessageBytes} and {MaxSendMessageBytes}).");
        }
    }
}
