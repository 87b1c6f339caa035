using System.Globalization;

namespace Woodpecker.Grains.Metadata;

/// <summary>
/// The metadata key layout (documented in docs/metadata.md). Every key starts with the configured prefix; log names
/// appear only in name keys (names are validated to a safe alphabet), everything else is keyed by numeric ids.
/// Numbers are zero-padded to 19 digits so that key order is numeric order.
/// </summary>
internal sealed class MetadataKeys
{
    private readonly string _prefix;

    public MetadataKeys(string prefix) => _prefix = prefix;

    public string NamesPrefix => _prefix + "names/";

    public string CollectionPrefix => _prefix + "gc/";

    public string Name(string logName) => NamesPrefix + logName;

    public string LogPrefix(long logId) => $"{_prefix}logs/{Pad(logId)}/";

    public string Writer(long logId) => LogPrefix(logId) + "writer";

    public string SegmentsPrefix(long logId) => LogPrefix(logId) + "segments/";

    public string Segment(long logId, long segmentId) => SegmentsPrefix(logId) + Pad(segmentId);

    public string ReadersPrefix(long logId) => LogPrefix(logId) + "readers/";

    public string Reader(long logId, string readerId) => ReadersPrefix(logId) + readerId;

    public string Collection(long logId) => CollectionPrefix + Pad(logId);

    public static long ParseTrailingId(string key) =>
        long.Parse(key.AsSpan(key.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Pad(long id) => id.ToString("D19", CultureInfo.InvariantCulture);
}
