using System.Text;
using Woodpecker.Errors;

namespace Woodpecker.Naming;

/// <summary>
/// Limits on what one entry may carry, checked by the client before sending and again by the service before
/// anything is written (a remote client may send anything).
/// </summary>
public sealed record EntryLimits
{
    /// <summary>Default limits.</summary>
    public static readonly EntryLimits Default = new();

    /// <summary>The largest payload accepted, in bytes. Default 8 MiB.</summary>
    public int MaxPayloadBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>The most properties one entry may carry. Default 64.</summary>
    public int MaxProperties { get; init; } = 64;

    /// <summary>The longest property key, in UTF-8 bytes. Default 256.</summary>
    public int MaxPropertyKeyBytes { get; init; } = 256;

    /// <summary>The largest total size of all keys and values, in UTF-8 bytes. Default 64 KiB.</summary>
    public int MaxPropertiesBytes { get; init; } = 64 * 1024;

    /// <summary>Throws <see cref="InvalidPayloadException"/> naming the broken rule, or returns the encoded property size.</summary>
    public int Validate(int payloadLength, IEnumerable<KeyValuePair<string, string>>? properties)
    {
        if (payloadLength == 0)
        {
            throw new InvalidPayloadException("An entry's payload must not be empty; append at least one byte.");
        }

        if (payloadLength > MaxPayloadBytes)
        {
            throw new InvalidPayloadException(
                $"The payload has {payloadLength} bytes; the limit is {MaxPayloadBytes} (EntryLimits.MaxPayloadBytes). Split it, or raise the limit.");
        }

        if (properties is null)
        {
            return 0;
        }

        var count = 0;
        var total = 0;
        foreach (var (key, value) in properties)
        {
            if (++count > MaxProperties)
            {
                throw new InvalidPayloadException($"An entry may carry at most {MaxProperties} properties.");
            }

            if (string.IsNullOrEmpty(key))
            {
                throw new InvalidPayloadException("A property key must not be empty.");
            }

            if (value is null)
            {
                throw new InvalidPayloadException($"The property '{key}' has a null value; use an empty string instead.");
            }

            var keyBytes = Encoding.UTF8.GetByteCount(key);
            if (keyBytes > MaxPropertyKeyBytes)
            {
                throw new InvalidPayloadException($"The property key '{key[..Math.Min(key.Length, 40)]}…' has {keyBytes} bytes; the limit is {MaxPropertyKeyBytes}.");
            }

            total += keyBytes + Encoding.UTF8.GetByteCount(value);
            if (total > MaxPropertiesBytes)
            {
                throw new InvalidPayloadException($"The properties of an entry may take at most {MaxPropertiesBytes} bytes in all.");
            }
        }

        return total;
    }
}
