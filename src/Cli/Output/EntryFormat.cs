namespace Woodpecker.Cli.Output;

/// <summary>How `wp read` prints an entry.</summary>
internal enum EntryFormat
{
    /// <summary>The payload as UTF-8 text, control characters replaced, one line per entry.</summary>
    Text,

    /// <summary>The payload in lowercase hex.</summary>
    Hex,

    /// <summary>One JSON object per line: position, payload (base64), properties.</summary>
    Json,
}
