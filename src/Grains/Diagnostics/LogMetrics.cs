using System.Diagnostics.Metrics;

namespace Woodpecker.Grains.Diagnostics;

/// <summary>Metrics of the log service, published on the "Woodpecker.Log" meter.</summary>
internal static class LogMetrics
{
    public const string MeterName = "Woodpecker.Log";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> EntriesAppended =
        Meter.CreateCounter<long>("woodpecker.log.entries.appended", description: "Entries made durable");

    public static readonly Counter<long> BytesAppended =
        Meter.CreateCounter<long>("woodpecker.log.bytes.appended", unit: "By", description: "Payload bytes made durable");

    public static readonly Counter<long> BlocksFlushed =
        Meter.CreateCounter<long>("woodpecker.log.blocks.flushed", description: "Blocks written to storage");

    public static readonly Histogram<double> FlushDuration =
        Meter.CreateHistogram<double>("woodpecker.log.flush.duration", unit: "ms", description: "Time to make one block durable");

    public static readonly Histogram<long> BlockBytes =
        Meter.CreateHistogram<long>("woodpecker.log.block.size", unit: "By", description: "Size of flushed blocks");

    public static readonly Counter<long> SegmentsCompleted =
        Meter.CreateCounter<long>("woodpecker.log.segments.completed", description: "Segments completed (rolled, idle, fenced, recovered)");

    public static readonly Histogram<double> SegmentCreateDuration =
        Meter.CreateHistogram<double>("woodpecker.log.segment.create.duration", unit: "ms", description: "Time of the metadata transaction that creates a segment record (it compares the writer epoch)");

    public static readonly Histogram<double> RollDuration =
        Meter.CreateHistogram<double>("woodpecker.log.roll.duration", unit: "ms", description: "Time a writer's roll spends in the log grain before it may append to the next segment");

    public static readonly Counter<long> SegmentsDeleted =
        Meter.CreateCounter<long>("woodpecker.log.segments.deleted", description: "Segments deleted by garbage collection");
}
