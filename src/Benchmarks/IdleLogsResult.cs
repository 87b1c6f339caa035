namespace Woodpecker.Benchmarks;

/// <summary>Result of <see cref="IdleLogsBenchmark"/>: managed heap (and, for context, working set) at three moments.</summary>
public sealed record IdleLogsResult
{
    /// <summary>The goal for <see cref="IdleOverBaselinePercent"/> (DESIGN.md section 7: idle logs hold no memory).</summary>
    public const double GoalPercentValue = 10;

    /// <summary>Logs created.</summary>
    public required int Logs { get; init; }

    /// <summary>Payload bytes of each log's entry.</summary>
    public required int EntryBytes { get; init; }

    /// <summary>Managed heap after a full blocking collection, with the client started and no log yet.</summary>
    public required long BaselineHeapBytes { get; init; }

    /// <summary>
    /// Managed heap at steady state: after a warm-up round of a tenth as many logs was set up and went idle (code
    /// paths, pools, dictionaries and caches at the size they keep). The headline's baseline.
    /// </summary>
    public required long WarmBaselineHeapBytes { get; init; }

    /// <summary>Creates retried because the service reported a transient error (for example a metadata conflict).</summary>
    public required int TransientRetries { get; init; }

    /// <summary>Managed heap right after the last log was set up (every log still active with <see cref="HeldActiveUntilPeak"/>).</summary>
    public required long PeakHeapBytes { get; init; }

    /// <summary>Managed heap once the silo holds no activation.</summary>
    public required long IdleHeapBytes { get; init; }

    /// <summary>Process working set at the baseline (context only: it includes code, native heaps and caches).</summary>
    public required long BaselineWorkingSetBytes { get; init; }

    /// <summary>Process working set at the peak.</summary>
    public required long PeakWorkingSetBytes { get; init; }

    /// <summary>Process working set once idle.</summary>
    public required long IdleWorkingSetBytes { get; init; }

    /// <summary>Activations in the silo at the peak.</summary>
    public required int ActivationsAtPeak { get; init; }

    /// <summary>Most activations seen while the logs were set up.</summary>
    public required int MostActivationsDuringSetup { get; init; }

    /// <summary>True when every log was kept active until the peak was measured.</summary>
    public required bool HeldActiveUntilPeak { get; init; }

    /// <summary>Activations left when the idle figure was taken (0 unless the wait timed out).</summary>
    public required int ActivationsLeft { get; init; }

    /// <summary>Time to set up every log.</summary>
    public required TimeSpan SetupElapsed { get; init; }

    /// <summary>Time from lowering the idle age until no activation was left.</summary>
    public required TimeSpan IdleElapsed { get; init; }

    /// <summary>Headline: (idle − warm baseline) ÷ warm baseline, in percent.</summary>
    public double IdleOverBaselinePercent => WarmBaselineHeapBytes <= 0 ? 0 : (IdleHeapBytes - WarmBaselineHeapBytes) * 100.0 / WarmBaselineHeapBytes;

    /// <summary>Context: (idle − cold baseline) ÷ cold baseline, in percent (one-time costs included).</summary>
    public double IdleOverColdBaselinePercent =>
        BaselineHeapBytes <= 0 ? 0 : (IdleHeapBytes - BaselineHeapBytes) * 100.0 / BaselineHeapBytes;

    /// <summary>Context: (idle − baseline) ÷ (peak − baseline), in percent: how much of what the active logs took stays.</summary>
    public double RetainedOfPeakGrowthPercent =>
        PeakHeapBytes <= BaselineHeapBytes ? 0 : (IdleHeapBytes - BaselineHeapBytes) * 100.0 / (PeakHeapBytes - BaselineHeapBytes);

    /// <summary>Context: heap bytes still held per idle log, beyond the warm baseline.</summary>
    public double RetainedBytesPerLog => (IdleHeapBytes - WarmBaselineHeapBytes) / (double)Logs;

    /// <summary>Goal, for printing next to the figure, in percent.</summary>
    public double GoalPercent { get; init; } = GoalPercentValue;

    /// <summary>True when every activation went away and the idle heap is within the goal of the baseline.</summary>
    public bool GoalMet => ActivationsLeft == 0 && IdleOverBaselinePercent <= GoalPercent;
}
