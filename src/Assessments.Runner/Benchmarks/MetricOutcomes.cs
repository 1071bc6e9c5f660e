using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Scenarios.Manifest;
using MetricDirection = Assessments.Scenarios.Manifest.MetricDirection;

namespace Assessments.Runner.Benchmarks;

/// <summary>Turns both sides' samples into a metric of the report: medians, spreads, ratio and
/// what the numbers say. Counts are exact, so any difference is one; latencies are noisy, so a
/// difference counts only when it stands out of the noise (<see cref="CompareTimed"/>).</summary>
public static class MetricOutcomes
{
    /// <summary>A metric the hidden tests count.</summary>
    public static MetricOutcome Counted(MetricDefinition definition, IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, BaselineSource source, string? note)
    {
        var (c, b) = (Statistics.Median(candidate), Statistics.Median(baseline));
        return Outcome(definition.Key, definition.Title, definition.Unit, definition.Direction, definition.Primary, MetricKind.Counted, candidate, baseline, source, note,
            c is null || b is null ? MetricComparison.NotCompared
            : c == b ? MetricComparison.Same
            : Better(definition.Direction, c.Value, b.Value) ? MetricComparison.Better : MetricComparison.Worse);
    }

    /// <summary>A latency: one sample per round on each side, rounds paired by index.</summary>
    /// <param name="minimumDifferenceMs">Medians closer than this are no measurable difference.</param>
    public static MetricOutcome Timed(string key, string title, IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, string? note, double minimumDifferenceMs = BenchmarksDefinition.DefaultMinimumDifferenceMs) =>
        Outcome(key, title, "ms", MetricDirection.Lower, false, MetricKind.Timed, candidate, baseline,
            baseline.Count > 0 ? BaselineSource.Measured : BaselineSource.None, note, CompareTimed(candidate, baseline, minimumDifferenceMs));

    /// <summary>A difference is measurable when (1) the middle half of the per-round ratios lies on
    /// one side of 1 — the rounds agree on the direction, and since both sides of a round ran
    /// back to back, a slow spell of the machine lands on both — (2) the medians differ by more
    /// than either side's interquartile range, and (3) by at least <paramref name="minimumDifferenceMs"/>:
    /// sub-millisecond timings can agree round after round on a difference of a tenth of a
    /// millisecond that the next grading does not see.</summary>
    public static MetricComparison CompareTimed(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, double minimumDifferenceMs = BenchmarksDefinition.DefaultMinimumDifferenceMs)
    {
        var pairs = Math.Min(candidate.Count, baseline.Count);
        if (pairs == 0)
        {
            return MetricComparison.NotCompared;
        }

        var ratios = Enumerable.Range(0, pairs).Select(i => candidate[i] / Math.Max(baseline[i], 1e-9)).ToList();
        var (low, high) = (Statistics.Quantile(ratios, 0.25)!.Value, Statistics.Quantile(ratios, 0.75)!.Value);
        var difference = Math.Abs(Statistics.Median(candidate)!.Value - Statistics.Median(baseline)!.Value);
        var noise = Math.Max(Statistics.InterquartileRange(candidate)!.Value, Statistics.InterquartileRange(baseline)!.Value);
        if ((low <= 1 && high >= 1) || difference <= noise || difference < minimumDifferenceMs)
        {
            return MetricComparison.NoMeasurableDifference;
        }

        return high < 1 ? MetricComparison.Better : MetricComparison.Worse;
    }

    private static bool Better(MetricDirection direction, double candidate, double baseline) =>
        direction == MetricDirection.Lower ? candidate < baseline : candidate > baseline;

    private static MetricOutcome Outcome(string key, string title, string unit, MetricDirection direction, bool primary, MetricKind kind,
        IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, BaselineSource source, string? note, MetricComparison comparison)
    {
        var (c, b) = (Statistics.Median(candidate), Statistics.Median(baseline));
        return new MetricOutcome
        {
            Key = key,
            Title = title,
            Unit = unit,
            Direction = direction == MetricDirection.Lower ? Results.MetricDirection.Lower : Results.MetricDirection.Higher,
            Primary = primary,
            Kind = kind,
            Candidate = c,
            Baseline = b,
            Ratio = c is { } cv && b is { } bv ? (cv == bv ? 1 : cv / Math.Max(bv, 1e-9)) : null,
            Improvement = GradingEngine.Improvement(direction, c, b),
            Comparison = comparison,
            BaselineSource = b is null ? BaselineSource.None : source,
            Note = note,
            Spread = Statistics.InterquartileRange(candidate),
            BaselineSpread = Statistics.InterquartileRange(baseline),
            Samples = candidate,
            BaselineSamples = baseline,
        };
    }
}
