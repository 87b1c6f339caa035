using System.Globalization;
using Woodpecker.Storage.Abstractions;

namespace Woodpecker.Storage.Local;

/// <summary>
/// Where a segment's files live: root/logs/LOG_ID/SEGMENT_ID.data (the blocks), .footer (written last; its
/// presence means the segment is complete), .fence (written by a recovery; a writer that sees it may not
/// acknowledge anything more) and .lock (held exclusively by the one writer of the segment, so two processes can
/// never append to the same file). Paths are built from numbers only, so no user input reaches the filesystem.
/// </summary>
internal sealed class LocalSegmentFiles
{
    public LocalSegmentFiles(string root, SegmentAddress segment)
    {
        Directory = LogDirectory(root, segment.LogId);
        var stem = Path.Combine(Directory, segment.SegmentId.ToString("D12", CultureInfo.InvariantCulture));
        DataPath = stem + ".data";
        FooterPath = stem + ".footer";
        FencePath = stem + ".fence";
        LockPath = stem + ".lock";
    }

    public string Directory { get; }

    public string DataPath { get; }

    public string FooterPath { get; }

    public string FencePath { get; }

    public string LockPath { get; }

    public static string LogDirectory(string root, long logId) =>
        Path.Combine(root, "logs", logId.ToString("D12", CultureInfo.InvariantCulture));
}
