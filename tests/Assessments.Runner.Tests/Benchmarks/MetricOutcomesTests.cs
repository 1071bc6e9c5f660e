using Assessments.Runner.Benchmarks;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;
using MetricDirection = Assessments.Scenarios.Manifest.MetricDirection;

namespace Assessments.Runner.Tests.Benchmarks;

/// <summary>What the report says about two sides' numbers: counts compare exactly, latencies only
/// beyond their noise.</summary>
public sealed class MetricOutcomesTests
{
    private static readonly MetricDefinition Statements = new("statements_per_request", "Statements", "statements", MetricDirection.Lower, true, new SourceLocation("scenario.yaml", 1));

    [Fact]
    public void ACountCarriesBothSidesTheRatioAndWhereTheBaselineCameFrom()
    {
        var metric = MetricOutcomes.Counted(Statements, [4], [804], BaselineSource.Cached, null);
        Assert.Equal((4.0, 804.0, MetricComparison.Better, BaselineSource.Cached), (metric.Candidate!.Value, metric.Baseline!.Value, metric.Comparison, metric.BaselineSource));
        Assert.Equal(4.0 / 804, metric.Ratio!.Value, 9);
        Assert.Equal(201, metric.Improvement);
        Assert.Equal((0.0, 0.0), (metric.Spread!.Value, metric.BaselineSpread!.Value));
    }

    [Fact]
    public void AnEqualCountIsTheSameAndARiseIsWorse()
    {
        Assert.Equal(MetricComparison.Same, MetricOutcomes.Counted(Statements, [0], [0], BaselineSource.Measured, null).Comparison);
        Assert.Equal(1, MetricOutcomes.Counted(Statements, [0], [0], BaselineSource.Measured, null).Ratio);
        Assert.Equal(MetricComparison.Worse, MetricOutcomes.Counted(Statements, [12], [11], BaselineSource.Measured, null).Comparison);
    }

    [Fact]
    public void ACountWithoutABaselineIsNotComparedAndSaysWhy()
    {
        var metric = MetricOutcomes.Counted(Statements, [4], [], BaselineSource.Cached, "The baseline did not start.");
        Assert.Equal((MetricComparison.NotCompared, BaselineSource.None), (metric.Comparison, metric.BaselineSource));
        Assert.Null(metric.Ratio);
        Assert.Equal("The baseline did not start.", metric.Note);
    }

    [Fact]
    public void ALatencyFarBelowTheBaselineInEveryRoundIsBetter()
    {
        var metric = MetricOutcomes.Timed("latency_search_p50", "Search", [2.1, 2.0, 2.4, 2.2, 2.1], [180, 175, 240, 190, 181], null);
        Assert.Equal((MetricKind.Timed, MetricComparison.Better, BaselineSource.Measured, "ms"), (metric.Kind, metric.Comparison, metric.BaselineSource, metric.Unit));
        Assert.Equal(2.1 / 181, metric.Ratio!.Value, 9);
    }

    [Fact]
    public void ALatencyWhoseRoundsDisagreeOnTheDirectionIsNoMeasurableDifference()
    {
        // Medians 10.2 and 10.0: rounds go both ways, so the 2% is noise.
        Assert.Equal(MetricComparison.NoMeasurableDifference, MetricOutcomes.CompareTimed([10.2, 9.8, 10.6, 10.2, 9.9], [10.0, 10.1, 10.0, 9.7, 10.4]));
    }

    [Fact]
    public void AConsistentChangeSmallerThanTheSpreadIsNoMeasurableDifference()
    {
        // Every round 5% slower, but each side's rounds spread over 40%: the change is inside the noise.
        double[] baseline = [10, 14, 12, 16, 11];
        var candidate = baseline.Select(b => b * 1.05).ToArray();
        Assert.Equal(MetricComparison.NoMeasurableDifference, MetricOutcomes.CompareTimed(candidate, baseline));
    }

    [Fact]
    public void AConsistentSlowdownBeyondTheSpreadIsWorse()
    {
        Assert.Equal(MetricComparison.Worse, MetricOutcomes.CompareTimed([30, 31, 29, 33, 30], [10, 11, 10, 12, 10]));
    }

    [Fact]
    public void ALatencyWithoutRoundsIsNotCompared()
    {
        Assert.Equal(MetricComparison.NotCompared, MetricOutcomes.CompareTimed([3, 4], []));
    }

    [Fact]
    public void ASubMillisecondDifferenceBelowTheFloorIsNoMeasurableDifference()
    {
        // 0.53 ms against 0.62 ms, every round the same way and tight: still a tenth of a
        // millisecond, which the next grading on this machine does not see.
        double[] candidate = [0.62, 0.61, 0.63, 0.62, 0.62];
        double[] baseline = [0.53, 0.52, 0.53, 0.54, 0.53];
        Assert.Equal(MetricComparison.NoMeasurableDifference, MetricOutcomes.CompareTimed(candidate, baseline));
        Assert.Equal(MetricComparison.Worse, MetricOutcomes.CompareTimed(candidate, baseline, minimumDifferenceMs: 0.05));
        Assert.Equal(MetricComparison.NoMeasurableDifference, MetricOutcomes.Timed("latency_profile_p50", "Profile", candidate, baseline, null).Comparison);
    }
}
