using System.Globalization;
using System.Text;

namespace Assessments.Runner.Results;

/// <summary>The metrics of a report as a plain-text table for terminals: each metric's baseline
/// and candidate median with its interquartile range, the samples behind them, the ratio and what
/// the comparison says; a note under a metric that has one.</summary>
public static class MetricTable
{
    /// <summary>The table; <paramref name="candidateColumn"/> names the graded side's column.</summary>
    public static string Format(IReadOnlyList<MetricOutcome> metrics, string candidateColumn = "CANDIDATE")
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"METRIC",-36} {"BASELINE",18} {candidateColumn,18} {"N",5} {"RATIO",7} COMPARISON");
        foreach (var metric in metrics)
        {
            var key = metric.Key + (metric.Primary ? " *" : "");
            var comparison = Kebab(metric.Comparison) + (metric.BaselineSource == BaselineSource.Cached ? " (kept baseline)" : "");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{key,-36} {Value(metric.Baseline, metric.BaselineSpread, metric.Kind),18} {Value(metric.Candidate, metric.Spread, metric.Kind),18} {$"{metric.BaselineSamples.Count}/{metric.Samples.Count}",5} {Ratio(metric.Ratio),7} {comparison}");
            if (metric.Note is { } note)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{"",-36} {note}");
            }
        }

        return text.ToString();
    }

    /// <summary>A median with its interquartile range for timings (counts are exact): <c>12.4 ±3.1</c>.</summary>
    private static string Value(double? median, double? spread, MetricKind kind) =>
        median is not { } m ? "-"
        : kind == MetricKind.Timed && spread is { } s ? string.Create(CultureInfo.InvariantCulture, $"{m:0.##} ±{s:0.##}")
        : m.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString(r < 0.01 ? "0.####" : "0.###", CultureInfo.InvariantCulture) : "-";

    private static string Kebab<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
