namespace Woodpecker.Benchmarks;

/// <summary>Where a running benchmark is. Reported a few times a second; cheap to ignore.</summary>
/// <param name="Phase">What runs now, unique within the run (for example "round 2/5: log").</param>
/// <param name="Fraction">How much of the phase is done, 0 to 1.</param>
/// <param name="Detail">Figures so far (bytes written and rate, appends, activations left).</param>
public readonly record struct BenchmarkProgress(string Phase, double Fraction, string Detail);
