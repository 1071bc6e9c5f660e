using System.Globalization;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Scenarios.Manifest;

namespace Assessments.Runner.Scoring;

/// <summary>What one piece of evidence read in a report.</summary>
/// <param name="Evidence">The manifest's evidence.</param>
/// <param name="Level">The best level the reading allows; null when there was nothing to read.</param>
/// <param name="Says">The reading in words, with the numbers or names behind it.</param>
public sealed record EvidenceReading(RubricEvidence Evidence, RubricLevel? Level, string Says);

/// <summary>A criterion's suggested level and the evidence that drove it.</summary>
/// <param name="Level">The lowest level any reading allows; null when the criterion has no
/// evidence mapped or none of it could be read.</param>
public sealed record CriterionSuggestion(RubricCriterion Criterion, RubricLevel? Level, IReadOnlyList<EvidenceReading> Readings)
{
    /// <summary>The scenario maps evidence to this criterion.</summary>
    public bool Mapped => Criterion.Evidence.Count > 0;

    /// <summary>The readings that set the level: those at the suggested level.</summary>
    public IEnumerable<EvidenceReading> Deciding => Readings.Where(r => r.Level is not null && r.Level == Level);
}

/// <summary>Suggests a level per rubric criterion from a grading report and the evidence the
/// scenario maps to it. A suggestion, never a score: the reviewer confirms or overrides it. Each
/// reading caps the criterion (a failing hidden test allows at most its <c>failing</c> level), and
/// the suggestion is the lowest cap, so a shortcut one test catches is not hidden by the tests it
/// passes. A grading that failed for the grader's own reasons suggests nothing.</summary>
public static class RubricSuggestions
{
    /// <summary>One suggestion per criterion, in the rubric's order.</summary>
    public static IReadOnlyList<CriterionSuggestion> For(IReadOnlyList<RubricCriterion> rubric, GradingReport report) =>
        [.. rubric.Select(c => For(c, report))];

    /// <summary>The suggestion for one criterion.</summary>
    public static CriterionSuggestion For(RubricCriterion criterion, GradingReport report)
    {
        var readings = criterion.Evidence.Select(e => Read(e, report)).ToList();
        var levels = readings.Where(r => r.Level is not null).Select(r => r.Level!.Value).ToList();
        return new CriterionSuggestion(criterion, levels.Count == 0 ? null : levels.Min(), readings);
    }

    private static EvidenceReading Read(RubricEvidence evidence, GradingReport report)
    {
        if (report.Verdict == Verdict.SandboxError)
        {
            return new EvidenceReading(evidence, null, "the grading failed for the grader's own reasons; nothing to read");
        }

        return evidence.Kind switch
        {
            EvidenceKind.Test => ReadTest(evidence, report),
            EvidenceKind.Metric => ReadMetric(evidence, report),
            _ => ReadFinding(evidence, report),
        };
    }

    private static EvidenceReading ReadTest(RubricEvidence evidence, GradingReport report)
    {
        var results = report.Tests.Where(t => t.Visibility == TestVisibility.Hidden && GradingEngine.SameTest(t.Name, evidence.Target)).ToList();
        if (results.Count == 0)
        {
            // The candidate's code stopped the grading before the test could run (a build that
            // failed, a service that never answered): the test is not passed.
            var where = report.Stage is null ? "" : $" (the grading stopped at {report.Stage}: {VerdictWord(report.Verdict)})";
            return new EvidenceReading(evidence, evidence.Failing, $"hidden test {evidence.Target} did not run{where}");
        }

        var failing = results.FirstOrDefault(t => t.Status != TestStatus.Pass);
        return failing is null
            ? new EvidenceReading(evidence, RubricLevel.Strong, $"hidden test {evidence.Target} passed")
            : new EvidenceReading(evidence, evidence.Failing, $"hidden test {evidence.Target} {(failing.Status == TestStatus.Fail ? "failed" : $"ended {failing.Status.ToString().ToLowerInvariant()}")}: {FirstLine(failing.Message)}");
    }

    private static EvidenceReading ReadMetric(RubricEvidence evidence, GradingReport report)
    {
        var metric = report.Metrics.FirstOrDefault(m => m.Key == evidence.Target);
        var number = evidence.On == MetricScale.Ratio ? metric?.Ratio : metric?.Candidate;
        var what = evidence.On == MetricScale.Ratio ? $"{evidence.Target} against the baseline" : evidence.Target;
        if (metric is null || number is not { } value)
        {
            return new EvidenceReading(evidence, null, $"{what} was not measured{(metric?.Note is { } note ? $": {FirstLine(note)}" : "")}");
        }

        var lowerIsBetter = metric.Direction == Results.MetricDirection.Lower;
        bool Meets(double threshold) => lowerIsBetter ? value <= threshold : value >= threshold;
        var level = Meets(evidence.Strong!.Value) ? RubricLevel.Strong : Meets(evidence.Adequate!.Value) ? RubricLevel.Adequate : RubricLevel.Weak;
        var shown = evidence.On == MetricScale.Ratio ? $"{Number(value)}×" : $"{Number(value)} {metric.Unit}";
        var baseline = evidence.On == MetricScale.Value && metric.Baseline is { } b ? $", baseline {Number(b)}" : "";
        return new EvidenceReading(evidence, level, $"{what}: {shown}{baseline} ({evidence.Describe(lowerIsBetter ? Scenarios.Manifest.MetricDirection.Lower : Scenarios.Manifest.MetricDirection.Higher)})");
    }

    private static EvidenceReading ReadFinding(RubricEvidence evidence, GradingReport report)
    {
        var found = report.Findings.Where(f => f.Rule == evidence.Target).ToList();
        if (found.Count == 0)
        {
            // The absence of a smell is no proof of strength: it allows any level without claiming one.
            return new EvidenceReading(evidence, null, $"no {evidence.Target} finding on the change");
        }

        var places = string.Join(", ", found.Take(3).Select(f => f.Line is { } line ? $"{f.Path}:{line}" : f.Path));
        return new EvidenceReading(evidence, evidence.Present, $"{found.Count} {evidence.Target} finding{(found.Count == 1 ? "" : "s")}: {places}{(found.Count > 3 ? ", …" : "")}");
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string FirstLine(string? text)
    {
        var line = text?.Split('\n', 2)[0].Trim() ?? "";
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    private static string VerdictWord(Verdict verdict) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(verdict.ToString());
}
