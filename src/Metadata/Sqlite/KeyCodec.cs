using System.Text;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>
/// Keys are stored as their UTF-8 bytes in a BLOB column, so SQLite orders them by memcmp, exactly like etcd.
/// A prefix range is [prefix, PrefixEnd(prefix)), with etcd's prefix end: the prefix with its last byte below 0xFF
/// incremented and what follows dropped (valid UTF-8 has no 0xFF bytes, so that is always the last byte).
/// </summary>
internal static class KeyCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a key; rejects empty keys and ill-formed UTF-16 (lone surrogates).</summary>
    public static byte[] EncodeKey(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0)
        {
            throw new ArgumentException("A metadata key must not be empty.", paramName);
        }

        return EncodePrefix(key, paramName);
    }

    /// <summary>Encodes a prefix (may be empty); rejects ill-formed UTF-16.</summary>
    public static byte[] EncodePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        try
        {
            return StrictUtf8.GetBytes(prefix);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"Metadata key '{prefix}' is not well-formed Unicode (it contains a lone surrogate).", paramName, ex);
        }
    }

    /// <summary>Decodes stored key bytes.</summary>
    public static string Decode(byte[] bytes) => StrictUtf8.GetString(bytes);

    /// <summary>The smallest byte string greater than every string starting with <paramref name="prefix"/>; null when there is none (empty prefix: every key).</summary>
    public static byte[]? PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xFF)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="key"/> starts with <paramref name="prefix"/> (ordinal, which for well-formed strings matches the UTF-8 byte prefix).</summary>
    public static bool HasPrefix(string key, string prefix) => key.StartsWith(prefix, StringComparison.Ordinal);
}
