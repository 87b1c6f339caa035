using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Woodpecker.Transport.Framing;

/// <summary>
/// gRPC's message framing: a 1-byte compressed flag, a 4-byte big-endian length, then the protobuf bytes. Reading is
/// bounded by a maximum message size (checked on the prefix, before anything is buffered), and a frame split across any
/// number of reads parses the same.
/// </summary>
internal static class GrpcFraming
{
    public const int HeaderSize = 5;

    /// <summary>Writes one framed message into <paramref name="writer"/> (not flushed).</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, int maxBytes)
    {
        var size = message.CalculateSize();
        if (size > maxBytes)
        {
            throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"A {message.Descriptor.Name} of {size} bytes exceeds the {maxBytes}-byte message limit.");
        }

        var span = writer.GetSpan(HeaderSize + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        message.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
    }

    /// <summary>One framed message as a new array.</summary>
    public static byte[] ToArray(IMessage message, int maxBytes)
    {
        var buffer = new ArrayBufferWriter<byte>(HeaderSize + message.CalculateSize());
        Write(buffer, message, maxBytes);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Takes one complete frame off the front of <paramref name="buffer"/>; false when it does not hold one yet.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxBytes, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        if (header[0] != 0)
        {
            throw new GrpcStatusException(GrpcStatusCode.Unimplemented, "Compressed messages are not supported; send them uncompressed (no grpc-encoding).");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxBytes)
        {
            throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"A message of {length} bytes exceeds the {maxBytes}-byte limit.");
        }

        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        payload = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(HeaderSize + length);
        return true;
    }

    /// <summary>Reads the next message; null at the end of the stream. Throws <see cref="GrpcStatusException"/> for bad frames.</summary>
    public static async ValueTask<T?> ReadAsync<T>(PipeReader reader, MessageParser<T> parser, int maxBytes, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            T? message = null;
            bool framed;
            try
            {
                framed = TryReadFrame(ref buffer, maxBytes, out var payload);
                if (framed)
                {
                    message = parser.ParseFrom(payload);
                }
            }
            catch (InvalidProtocolBufferException ex)
            {
                reader.AdvanceTo(buffer.Start);
                throw new GrpcStatusException(GrpcStatusCode.Internal, $"Could not parse a {typeof(T).Name}: {ex.Message}", inner: ex);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start);
                throw;
            }

            if (framed)
            {
                reader.AdvanceTo(buffer.Start);
                return message;
            }

            if (result.IsCompleted)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                return leftover == 0
                    ? null
                    : throw new GrpcStatusException(GrpcStatusCode.Internal, $"The stream ended inside a message ({leftover} bytes of an incomplete frame).");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
