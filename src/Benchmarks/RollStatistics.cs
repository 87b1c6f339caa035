using System.Diagnostics.Metrics;

namespace Woodpecker.Benchmarks;

/// <summary>
/// Listens to the log service's own metrics (meter "Woodpecker.Log") during a roll run: how long each segment
/// record's metadata transaction took, and how long the writer waited in each roll for its next segment. The client
/// sees neither; both tell where a roll's time goes.
/// </summary>
internal sealed class RollStatistics : IDisposable
{
    private const string MeterName = "Woodpecker.Log";
    private const string SegmentCreate = "woodpecker.log.segment.create.duration";
    private const string Roll = "woodpecker.log.roll.duration";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<double> _creates = [];
    private readonly List<double> _rolls = [];

    public RollStatistics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is SegmentCreate or Roll)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (_gate)
            {
                (instrument.Name == SegmentCreate ? _creates : _rolls).Add(value);
            }
        });
        _listener.Start();
    }

    public void Reset()
    {
        lock (_gate)
        {
            _creates.Clear();
            _rolls.Clear();
        }
    }

    /// <summary>Segment creations and roll waits since the last reset (a summary of one zero sample when there were none).</summary>
    public (LatencySummary SegmentCreates, LatencySummary RollWaits) Snapshot()
    {
        lock (_gate)
        {
            return (Summarize(_creates), Summarize(_rolls));
        }
    }

    public void Dispose() => _listener.Dispose();

    private static LatencySummary Summarize(List<double> milliseconds)
    {
        var ticks = milliseconds.Count == 0
            ? [0L]
            : milliseconds.Select(ms => (long)Math.Round(ms * System.Diagnostics.Stopwatch.Frequency / 1000.0)).ToArray();
        return LatencySummary.FromStopwatchTicks(ticks, ticks.Length);
    }
}
