namespace Woodpecker.Storage.Format;

/// <summary>Magic numbers, sizes and the version of the segment format (docs/format.md).</summary>
public static class FormatConstants
{
    /// <summary>The block format version written by this code. Readers accept every version up to this one.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>
    /// The footer format version written by this code. Version 2 adds the object table (the objects, in order,
    /// whose concatenation is the segment's data). Readers accept every version up to this one.
    /// </summary>
    public const ushort CurrentFooterVersion = 2;

    /// <summary>"WPBK" little-endian: the first four bytes of every block.</summary>
    public const uint BlockMagic = 0x4B425057;

    /// <summary>"WPFT" little-endian: the first four bytes of every footer.</summary>
    public const uint FooterMagic = 0x54465057;

    /// <summary>Size of a block header in bytes.</summary>
    public const int BlockHeaderSize = 48;

    /// <summary>Size of a record's prefix (length and checksum).</summary>
    public const int RecordPrefixSize = 8;

    /// <summary>Size of the fixed part of a footer, before its block index.</summary>
    public const int FooterFixedSize = 48;

    /// <summary>Size of one block-index entry in a footer.</summary>
    public const int FooterIndexEntrySize = 24;

    /// <summary>A sanity bound: no block is ever larger (the writer's limit is far below).</summary>
    public const int MaxBlockLength = 256 * 1024 * 1024;
}
