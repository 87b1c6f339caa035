using Woodpecker.Naming;

namespace Woodpecker.Grains;

/// <summary>Options of the log service: segment rolling, caching, truncation and limits. Defaults need no tuning.</summary>
public sealed class LogServiceOptions
{
    /// <summary>Prefix of every metadata key this service writes. Default "woodpecker/".</summary>
    public string MetadataKeyPrefix { get; set; } = "woodpecker/";

    /// <summary>A segment rolls once it holds this many bytes. Default 256 MiB.</summary>
    public long SegmentRollBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>A segment rolls once it holds this many entries. Default 10,000,000.</summary>
    public long SegmentRollEntries { get; set; } = 10_000_000;

    /// <summary>A segment rolls once it is this old. Default 1 hour.</summary>
    public TimeSpan SegmentRollAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The next segment is created this long before the active one is expected to roll (estimated from its age and
    /// fill rate), so that a roll hands the writer a segment that exists already instead of waiting on a metadata
    /// transaction, an activation and a file creation. Capped at half of <see cref="SegmentIdleCompleteAge"/>, so the
    /// prepared segment is not completed as idle before the writer reaches it. Zero: create each segment at its roll.
    /// Default 10 s.
    /// </summary>
    public TimeSpan SegmentPrepareLead { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An active segment that received no append for this long is completed, so an idle log never leaves a segment
    /// open (Woodpecker #357); the next append starts a new segment. Default 1 minute.
    /// </summary>
    public TimeSpan SegmentIdleCompleteAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Recent durable entries a segment keeps in memory for tail readers, in payload bytes. Default 4 MiB.</summary>
    public int TailCacheBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long truncated segments stay before they are deleted. Default 10 minutes.</summary>
    public TimeSpan TruncationRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long the objects a compaction replaced are kept, so readers that opened the segment before the compaction
    /// can finish. Default 10 minutes.
    /// </summary>
    public TimeSpan CompactionGracePeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often pending garbage collection is looked for. Default 30 s.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time to live of the lease that reader registrations are bound to. Default 30 s.</summary>
    public TimeSpan ReaderLeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limits on entries (payload size, properties).</summary>
    public EntryLimits EntryLimits { get; set; } = EntryLimits.Default;

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrEmpty(MetadataKeyPrefix) && MetadataKeyPrefix.EndsWith('/'), nameof(MetadataKeyPrefix), "must be non-empty and end with '/'");
        Require(SegmentRollBytes >= 64 * 1024, nameof(SegmentRollBytes), "must be at least 64 KiB");
        Require(SegmentRollEntries >= 1, nameof(SegmentRollEntries), "must be positive");
        Require(SegmentRollAge > TimeSpan.Zero, nameof(SegmentRollAge), "must be positive");
        Require(SegmentIdleCompleteAge > TimeSpan.Zero, nameof(SegmentIdleCompleteAge), "must be positive");
        Require(SegmentPrepareLead >= TimeSpan.Zero, nameof(SegmentPrepareLead), "must not be negative");
        Require(TailCacheBytes >= 0, nameof(TailCacheBytes), "must not be negative");
        Require(TruncationRetention >= TimeSpan.Zero, nameof(TruncationRetention), "must not be negative");
        Require(CollectionInterval > TimeSpan.Zero, nameof(CollectionInterval), "must be positive");
        Require(CompactionGracePeriod >= TimeSpan.Zero, nameof(CompactionGracePeriod), "must not be negative");
        Require(ReaderLeaseTtl >= TimeSpan.FromSeconds(2), nameof(ReaderLeaseTtl), "must be at least 2 s");
        Require(EntryLimits.MaxPayloadBytes > 0, nameof(EntryLimits), "MaxPayloadBytes must be positive");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, $"LogServiceOptions.{name} {message}.");
        }
    }
}
