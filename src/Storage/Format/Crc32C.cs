using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Woodpecker.Storage.Format;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every record, header and footer. Uses the CPU's CRC32 instruction through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>; System.IO.Hashing is not available from the package feed.
/// </summary>
public static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>The checksum of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => ~Append(Append(~0u, first), second);

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        // Eight bytes per instruction: several GB/s, far above any disk or network this checksums.
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var value in longs)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
        }

        foreach (var b in data[(longs.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
