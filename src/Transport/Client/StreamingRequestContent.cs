using System.Buffers;
using System.Net;
using System.Threading.Channels;
using Google.Protobuf;
using Woodpecker.Transport.Framing;

namespace Woodpecker.Transport.Client;

/// <summary>
/// A request body that stays open while responses are read (duplex calls): every message written is framed, written
/// and flushed to the HTTP/2 stream at once, and <see cref="WriteAsync"/> completes only then, so at most one message
/// per writer is buffered. <see cref="Complete"/> ends the body (half-close).
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    // Capacity 1: a writer's message waits here only while the previous one is on its way to the socket.
    private readonly Channel<Pending> _messages = Channel.CreateBounded<Pending>(new BoundedChannelOptions(1) { SingleReader = false });
    private readonly int _maxMessageBytes;

    public StreamingRequestContent(int maxMessageBytes) => _maxMessageBytes = maxMessageBytes;

    /// <summary>Sends one message; completes once it is flushed. Throws <see cref="ChannelClosedException"/> when the body ended.</summary>
    public async ValueTask WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        // Checked here so an oversized message fails the write, not the whole HTTP request.
        var size = message.CalculateSize();
        if (size > _maxMessageBytes)
        {
            throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"A {message.Descriptor.Name} of {size} bytes exceeds the {_maxMessageBytes}-byte message limit.");
        }

        var pending = new Pending(message);
        await _messages.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Sent.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the request body once the queued message is sent.</summary>
    public void Complete() => _messages.Writer.TryComplete();

    /// <summary>Ends the request body now; writes waiting fail with <paramref name="error"/>.</summary>
    public void Abort(Exception error)
    {
        _messages.Writer.TryComplete(error);
        while (_messages.Reader.TryRead(out var pending))
        {
            pending.Sent.TrySetException(error);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Pending? current = null;
        try
        {
            while (await _messages.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_messages.Reader.TryRead(out current))
                {
                    var length = GrpcFraming.HeaderSize + current.Message.CalculateSize();
                    var buffer = ArrayPool<byte>.Shared.Rent(length);
                    try
                    {
                        var writer = new FixedBufferWriter(buffer);
                        GrpcFraming.Write(writer, current.Message, _maxMessageBytes);
                        await stream.WriteAsync(buffer.AsMemory(0, writer.Written), cancellationToken).ConfigureAwait(false);
                        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    current.Sent.TrySetResult();
                    current = null;
                }
            }
        }
        catch (Exception ex)
        {
            var closed = new IOException("The request stream of the call broke.", ex);
            current?.Sent.TrySetException(closed);
            Abort(closed);
            throw;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        Abort(new ObjectDisposedException(nameof(StreamingRequestContent)));
        base.Dispose(disposing);
    }

    private sealed class Pending(IMessage message)
    {
        public IMessage Message { get; } = message;

        public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
