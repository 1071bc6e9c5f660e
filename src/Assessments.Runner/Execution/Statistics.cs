namespace Assessments.Runner.Execution;

/// <summary>Median and interquartile range: robust to the odd slow sample a noisy machine gives.</summary>
public static class Statistics
{
    /// <summary>The median of <paramref name="samples"/>, or null when there are none.</summary>
    public static double? Median(IReadOnlyList<double> samples) => Quantile(samples, 0.5);

    /// <summary>Third quartile minus first quartile; zero for a single sample.</summary>
    public static double? InterquartileRange(IReadOnlyList<double> samples) =>
        samples.Count == 0 ? null : Quantile(samples, 0.75)!.Value - Quantile(samples, 0.25)!.Value;

    /// <summary>Linear interpolation between closest ranks (the common "type 7" definition).</summary>
    public static double? Quantile(IReadOnlyList<double> samples, double q)
    {
        if (samples.Count == 0)
        {
            return null;
        }

        var sorted = samples.Order().ToArray();
        var position = (sorted.Length - 1) * q;
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}
