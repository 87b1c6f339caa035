using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Woodpecker.Silo.Diagnostics;

/// <summary>
/// Listens to every "Woodpecker.*" meter in the process (appends, bytes, flushes, activations, storage requests, ...) and
/// renders the totals as text for a silo's GET /metrics: counters as sums, histograms as count, sum and max. A real
/// deployment would export the same instruments with OpenTelemetry; this needs no extra package and no collector.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Aggregate> _aggregates = new(StringComparer.Ordinal);

    /// <summary>Starts listening.</summary>
    public MetricsCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Woodpecker", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Record(instrument, value));
        _listener.Start();
    }

    /// <summary>One line per instrument: "name{kind} value" pairs, sorted by name.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var (name, aggregate) in _aggregates.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            lock (aggregate)
            {
                if (aggregate.IsHistogram)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}_count {aggregate.Count}\n{name}_sum {aggregate.Sum:0.###}\n{name}_max {aggregate.Max:0.###}\n");
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name} {aggregate.Sum:0.###}\n");
                }
            }
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value)
    {
        var aggregate = _aggregates.GetOrAdd(instrument.Name.Replace('.', '_'), _ => new Aggregate(instrument is Histogram<double> or Histogram<long> or Histogram<int>));
        lock (aggregate)
        {
            aggregate.Count++;
            aggregate.Sum += value;
            aggregate.Max = Math.Max(aggregate.Max, value);
        }
    }

    private sealed class Aggregate(bool isHistogram)
    {
        public bool IsHistogram { get; } = isHistogram;

        public long Count { get; set; }

        public double Sum { get; set; }

        public double Max { get; set; }
    }
}
