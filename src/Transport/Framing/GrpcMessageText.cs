using System.Text;

namespace Woodpecker.Transport.Framing;

/// <summary>Percent-encoding of grpc-message (the gRPC spec: UTF-8, bytes outside 0x20–0x7E and '%' as %XX).</summary>
internal static class GrpcMessageText
{
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var encoded = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    public static string Decode(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains('%', StringComparison.Ordinal))
        {
            return text ?? "";
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        // Invalid UTF-8 (a peer that did not encode) becomes U+FFFD rather than failing the call.
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
