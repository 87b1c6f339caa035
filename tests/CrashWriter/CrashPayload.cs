using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Woodpecker.CrashWriter;

/// <summary>
/// The entries the crash writer appends: an 8-byte little-endian sequence number, random filler of random length,
/// then an 8-byte checksum (the first 8 bytes of SHA-256, little-endian) of everything before it. Shared with the
/// crash tests, which compile this file too.
/// </summary>
internal static class CrashPayload
{
    public const int SequenceBytes = 8;
    public const int ChecksumBytes = 8;
    public const int MinBytes = SequenceBytes + ChecksumBytes;

    /// <summary>The property the writer may attach to an entry, holding its sequence number in decimal.</summary>
    public const string SequenceProperty = "seq";

    public static byte[] Create(long sequence, int length, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, MinBytes);
        var payload = new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(payload, sequence);
        random.NextBytes(payload.AsSpan(SequenceBytes, length - MinBytes));
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(length - ChecksumBytes), Checksum(payload.AsSpan(0, length - ChecksumBytes)));
        return payload;
    }

    /// <summary>Reads the sequence number of a payload whose checksum verifies; otherwise says what is wrong.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out long sequence, out string? error)
    {
        sequence = -1;
        if (payload.Length < MinBytes)
        {
            error = $"payload has {payload.Length} bytes, fewer than the {MinBytes} of an empty crash-writer entry";
            return false;
        }

        var stored = BinaryPrimitives.ReadUInt64LittleEndian(payload[^ChecksumBytes..]);
        var computed = Checksum(payload[..^ChecksumBytes]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(payload);
        if (stored != computed)
        {
            error = $"checksum mismatch: {payload.Length} bytes, header seq {sequence}, stored {stored:x16}, computed {computed:x16}";
            return false;
        }

        error = null;
        return true;
    }

    public static ulong Checksum(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
