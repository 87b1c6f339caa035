using System.Buffers;

namespace Woodpecker.Storage.Format;

/// <summary>
/// Builds one block in a pooled buffer as entries arrive, so checksums and copies happen while the previous block
/// is being made durable, and sealing a block only writes its 48-byte header.
/// </summary>
public sealed class BlockBuilder : IDisposable
{
    private byte[] _buffer;
    private int _length = FormatConstants.BlockHeaderSize;

    /// <summary>Creates a builder with room for <paramref name="initialCapacity"/> bytes before it grows.</summary>
    public BlockBuilder(int initialCapacity = 64 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, FormatConstants.BlockHeaderSize));
    }

    /// <summary>Entries added since the last reset.</summary>
    public int EntryCount { get; private set; }

    /// <summary>Encoded size of the block so far, header included.</summary>
    public int Length => _length;

    /// <summary>The encoded bytes so far; after <see cref="Seal"/>, the finished block.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>True when no entry was added since the last reset.</summary>
    public bool IsEmpty => EntryCount == 0;

    /// <summary>Appends one record.</summary>
    public void Add(ReadOnlySpan<byte> payload, IReadOnlyCollection<KeyValuePair<string, string>>? properties)
    {
        var size = RecordCodec.EncodedSize(payload.Length, properties);
        EnsureCapacity(_length + size);
        _length += RecordCodec.Write(_buffer.AsSpan(_length), payload, properties);
        EntryCount++;
    }

    /// <summary>Writes the header and returns the finished block. Valid until the next <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> Seal(long segmentId, long firstEntryId, long writerEpoch)
    {
        new BlockHeader(_length, EntryCount, segmentId, firstEntryId, writerEpoch).WriteTo(_buffer);
        return _buffer.AsMemory(0, _length);
    }

    /// <summary>Empties the builder for the next block, keeping its buffer.</summary>
    public void Reset()
    {
        _length = FormatConstants.BlockHeaderSize;
        EntryCount = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }

        if (needed > FormatConstants.MaxBlockLength)
        {
            throw new InvalidOperationException($"A block may not exceed {FormatConstants.MaxBlockLength} bytes.");
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
