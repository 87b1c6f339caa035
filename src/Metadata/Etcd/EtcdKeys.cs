using System.Text;

namespace Woodpecker.Metadata.Etcd;

/// <summary>Key encoding for etcd: UTF-8 bytes; prefix ranges end at the prefix with its last byte below 0xFF incremented.</summary>
internal static class EtcdKeys
{
    private static readonly byte[] Zero = [0];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The key's UTF-8 bytes; empty keys and unpaired surrogates are refused, as by the embedded store.</summary>
    public static byte[] Encode(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("A metadata key must not be empty.", nameof(key));
        }

        try
        {
            return StrictUtf8.GetBytes(key);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"The metadata key is not valid Unicode: {ex.Message}", nameof(key), ex);
        }
    }

    public static string Decode(byte[] key) => Encoding.UTF8.GetString(key);

    /// <summary>The range [start, end) covering every key with <paramref name="prefix"/>; the whole key space for "".</summary>
    public static (byte[] Start, byte[] End) PrefixRange(string prefix)
    {
        if (prefix.Length == 0)
        {
            return (Zero, Zero); // etcd: key "\0" with range_end "\0" means every key
        }

        var start = StrictUtf8.GetBytes(prefix);
        var end = (byte[])start.Clone();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xFF)
            {
                end[i]++;
                return (start, end[..(i + 1)]);
            }
        }

        return (start, Zero); // all 0xFF: everything from the prefix on
    }

    /// <summary>The smallest key greater than <paramref name="key"/>.</summary>
    public static byte[] After(string key) => [.. StrictUtf8.GetBytes(key), 0];
}
