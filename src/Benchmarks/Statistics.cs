namespace Woodpecker.Benchmarks;

/// <summary>Small statistics over per-round figures.</summary>
public static class Statistics
{
    /// <summary>The median (mean of the two middle values for an even count); NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
