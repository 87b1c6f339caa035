using System.Diagnostics.Metrics;

namespace Woodpecker.Benchmarks;

/// <summary>
/// Listens to the log service's own metrics (meter "Woodpecker.Log") during a run: how many blocks it flushed,
/// how large they were and how long each write + fdatasync took. That tells where the time went when the log falls
/// short of the raw limit: small blocks (batching) or time between flushes (pipeline).
/// </summary>
internal sealed class FlushStatistics : IDisposable
{
    private const string MeterName = "Woodpecker.Log";
    private const string BlockSize = "woodpecker.log.block.size";
    private const string FlushDuration = "woodpecker.log.flush.duration";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private long _blocks;
    private long _bytes;
    private double _flushMilliseconds;

    public FlushStatistics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is BlockSize or FlushDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == BlockSize)
            {
                lock (_gate)
                {
                    _blocks++;
                    _bytes += value;
                }
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == FlushDuration)
            {
                lock (_gate)
                {
                    _flushMilliseconds += value;
                }
            }
        });
        _listener.Start();
    }

    public void Reset()
    {
        lock (_gate)
        {
            _blocks = 0;
            _bytes = 0;
            _flushMilliseconds = 0;
        }
    }

    public (long Blocks, long Bytes, double FlushMilliseconds) Snapshot()
    {
        lock (_gate)
        {
            return (_blocks, _bytes, _flushMilliseconds);
        }
    }

    public void Dispose() => _listener.Dispose();
}
