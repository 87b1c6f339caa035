using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Woodpecker.Cli.Output;

/// <summary>Writes entries as `wp read` prints them, one line each.</summary>
internal sealed class EntryFormatter
{
    private readonly EntryFormat _format;
    private readonly ArrayBufferWriter<byte> _json = new();

    public EntryFormatter(EntryFormat format) => _format = format;

    /// <summary>Appends one line (with its newline) for <paramref name="message"/>.</summary>
    public void Append(StringBuilder output, LogMessage message)
    {
        switch (_format)
        {
            case EntryFormat.Json:
                AppendJson(output, message);
                break;
            case EntryFormat.Hex:
                output.Append(message.Position.ToString()).Append('\t').Append(Convert.ToHexStringLower(message.Payload.Span));
                break;
            default:
                output.Append(message.Position.ToString()).Append('\t').Append(Printable(message.Payload.Span));
                break;
        }

        output.Append('\n');
    }

    /// <summary>The payload as UTF-8 (invalid bytes become U+FFFD) with control characters shown as '?', so each entry stays on one line.</summary>
    public static string Printable(ReadOnlySpan<byte> payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    private void AppendJson(StringBuilder output, LogMessage message)
    {
        _json.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_json))
        {
            writer.WriteStartObject();
            writer.WriteString("position", message.Position.ToString());
            writer.WriteNumber("segment", message.Position.SegmentId);
            writer.WriteNumber("entry", message.Position.EntryId);
            writer.WriteBase64String("payload", message.Payload.Span);
            writer.WriteStartObject("properties");
            foreach (var (key, value) in message.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        output.Append(Encoding.UTF8.GetString(_json.WrittenSpan));
    }
}
