using System.Buffers.Binary;
using System.Text;

namespace Woodpecker.Storage.Format;

/// <summary>
/// Encodes and decodes one record: body length u32, CRC-32C u32 over the length bytes and the body, then the body:
/// property count u16, each property as key length u16 + key + value length u32 + value (UTF-8), then the payload.
/// </summary>
public static class RecordCodec
{
    /// <summary>The encoded size of a record.</summary>
    public static int EncodedSize(int payloadLength, IReadOnlyCollection<KeyValuePair<string, string>>? properties)
    {
        var size = FormatConstants.RecordPrefixSize + sizeof(ushort) + payloadLength;
        if (properties is not null)
        {
            foreach (var (key, value) in properties)
            {
                size += sizeof(ushort) + Encoding.UTF8.GetByteCount(key) + sizeof(uint) + Encoding.UTF8.GetByteCount(value);
            }
        }

        return size;
    }

    /// <summary>Writes a record into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> payload, IReadOnlyCollection<KeyValuePair<string, string>>? properties)
    {
        var body = destination[FormatConstants.RecordPrefixSize..];
        var count = properties?.Count ?? 0;
        if (count > ushort.MaxValue)
        {
            throw new ArgumentException("Too many properties for one record.", nameof(properties));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)count);
        var at = sizeof(ushort);
        if (properties is not null)
        {
            foreach (var (key, value) in properties)
            {
                var keyLength = Encoding.UTF8.GetBytes(key, body[(at + sizeof(ushort))..]);
                BinaryPrimitives.WriteUInt16LittleEndian(body[at..], checked((ushort)keyLength));
                at += sizeof(ushort) + keyLength;
                var valueLength = Encoding.UTF8.GetBytes(value, body[(at + sizeof(uint))..]);
                BinaryPrimitives.WriteInt32LittleEndian(body[at..], valueLength);
                at += sizeof(uint) + valueLength;
            }
        }

        payload.CopyTo(body[at..]);
        at += payload.Length;
        BinaryPrimitives.WriteInt32LittleEndian(destination, at);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Compute(destination[..4], body[..at]));
        return FormatConstants.RecordPrefixSize + at;
    }

    /// <summary>
    /// Checks the record at the start of <paramref name="source"/>; returns its total size, or -1 with a reason when
    /// the bytes are not a complete, valid record.
    /// </summary>
    public static int Check(ReadOnlySpan<byte> source, out string? problem)
    {
        problem = null;
        if (source.Length < FormatConstants.RecordPrefixSize)
        {
            problem = "record prefix cut short";
            return -1;
        }

        var bodyLength = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (bodyLength < sizeof(ushort) || bodyLength > source.Length - FormatConstants.RecordPrefixSize)
        {
            problem = "record length out of range";
            return -1;
        }

        var body = source.Slice(FormatConstants.RecordPrefixSize, bodyLength);
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Crc32C.Compute(source[..4], body))
        {
            problem = "record checksum mismatch";
            return -1;
        }

        if (!TryParseBody(body, out _, out _))
        {
            problem = "record body malformed";
            return -1;
        }

        return FormatConstants.RecordPrefixSize + bodyLength;
    }

    /// <summary>Decodes a record that <see cref="Check"/> accepted.</summary>
    public static StoredEntry Decode(ReadOnlySpan<byte> record, long entryId)
    {
        var bodyLength = BinaryPrimitives.ReadInt32LittleEndian(record);
        var body = record.Slice(FormatConstants.RecordPrefixSize, bodyLength);
        if (!TryParseBody(body, out var payloadStart, out var count))
        {
            throw new ArgumentException("The record was not checked before decoding.", nameof(record));
        }

        Dictionary<string, string>? properties = null;
        if (count > 0)
        {
            properties = new Dictionary<string, string>(count, StringComparer.Ordinal);
            var at = sizeof(ushort);
            for (var i = 0; i < count; i++)
            {
                int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
                var key = Encoding.UTF8.GetString(body.Slice(at + sizeof(ushort), keyLength));
                at += sizeof(ushort) + keyLength;
                var valueLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
                properties[key] = Encoding.UTF8.GetString(body.Slice(at + sizeof(uint), valueLength));
                at += sizeof(uint) + valueLength;
            }
        }

        return new StoredEntry(entryId, body[payloadStart..].ToArray(), properties);
    }

    private static bool TryParseBody(ReadOnlySpan<byte> body, out int payloadStart, out int count)
    {
        count = BinaryPrimitives.ReadUInt16LittleEndian(body);
        var at = sizeof(ushort);
        for (var i = 0; i < count; i++)
        {
            if (body.Length - at < sizeof(ushort))
            {
                payloadStart = -1;
                return false;
            }

            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
            at += sizeof(ushort) + keyLength;
            if (body.Length - at < sizeof(uint))
            {
                payloadStart = -1;
                return false;
            }

            var valueLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            if (valueLength < 0 || valueLength > body.Length - at - sizeof(uint))
            {
                payloadStart = -1;
                return false;
            }

            at += sizeof(uint) + valueLength;
        }

        payloadStart = at;
        return at <= body.Length;
    }
}
