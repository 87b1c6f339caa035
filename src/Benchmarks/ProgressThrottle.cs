using System.Diagnostics;

namespace Woodpecker.Benchmarks;

/// <summary>Passes progress on at most every 100 ms, so measuring loops pay almost nothing for it.</summary>
internal sealed class ProgressThrottle
{
    private static readonly long Interval = Stopwatch.Frequency / 10;

    private readonly IProgress<BenchmarkProgress>? _progress;
    private long _last;

    public ProgressThrottle(IProgress<BenchmarkProgress>? progress) => _progress = progress;

    /// <summary>True when a report is due; check it before building the detail text.</summary>
    public bool Due => _progress is not null && Stopwatch.GetTimestamp() - _last >= Interval;

    public void Report(string phase, double fraction, string detail, bool force = false)
    {
        if (_progress is null || (!force && !Due))
        {
            return;
        }

        _last = Stopwatch.GetTimestamp();
        _progress.Report(new BenchmarkProgress(phase, Math.Clamp(fraction, 0, 1), detail));
    }
}
