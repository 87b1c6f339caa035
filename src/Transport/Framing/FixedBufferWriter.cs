using System.Buffers;

namespace Woodpecker.Transport.Framing;

/// <summary>An <see cref="IBufferWriter{T}"/> over one array that is known to be large enough (a rented frame buffer).</summary>
internal sealed class FixedBufferWriter(byte[] buffer) : IBufferWriter<byte>
{
    public int Written { get; private set; }

    public void Advance(int count) => Written += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => Remaining(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Remaining(sizeHint).Span;

    private Memory<byte> Remaining(int sizeHint) =>
        buffer.Length - Written >= sizeHint
            ? buffer.AsMemory(Written)
            : throw new InvalidOperationException($"The frame buffer has {buffer.Length - Written} bytes left, {sizeHint} are needed.");
}
