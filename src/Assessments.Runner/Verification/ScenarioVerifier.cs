using System.Globalization;
using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Runner.Scoring;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;

namespace Assessments.Runner.Verification;

/// <summary>The outcome of verifying a scenario version: the reports it is based on and every
/// way the package fell short of its own manifest.</summary>
public sealed record VerificationResult(
    ScenarioManifest Manifest,
    GradingReport Template,
    GradingReport Solution,
    IReadOnlyList<(string Variant, GradingReport Report)> Variants,
    IReadOnlyList<string> Problems)
{
    /// <summary>Publishable: no problems.</summary>
    public bool Verified => Problems.Count == 0;

    /// <summary>Every grading's report under the name the verifier gave it: <c>template</c>,
    /// <c>solution</c>, <c>variant:NAME</c>.</summary>
    public IEnumerable<(string Name, GradingReport Report)> Reports =>
        [("template", Template), ("solution", Solution), .. Variants.Select(v => ($"variant:{v.Variant}", v.Report))];

    /// <summary>The before/after table: each metric on the baseline (the template) and with the
    /// solution, measured side by side in the solution's grading.</summary>
    public string MetricsTable() => MetricTable.Format(Solution.Metrics, "SOLUTION");

    /// <summary>One line per variant: its verdict, the hidden tests it failed with the first line
    /// of the first one's message, and its primary metric: what each shortcut the package
    /// anticipates gets.</summary>
    public string VariantsTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"VARIANT",-36} {"VERDICT",-14} {"PRIMARY",8}  FAILING HIDDEN TESTS");
        foreach (var (name, report) in Variants)
        {
            var failing = report.Tests.Where(t => t.Visibility == TestVisibility.Hidden && t.Status is TestStatus.Fail or TestStatus.Error).ToList();
            var primary = report.Metrics.FirstOrDefault(m => m.Primary)?.Candidate;
            var verdict = System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(report.Verdict.ToString());
            var tests = failing.Count == 0 ? (report.Verdict == Verdict.Passed ? "-" : $"({report.Stage}: {FirstLine(report.Message)})")
                : $"{string.Join(", ", failing.Select(t => t.Name))}: {FirstLine(failing[0].Message)}";
            text.AppendLine(CultureInfo.InvariantCulture, $"{name,-36} {verdict,-14} {primary?.ToString("0.##", CultureInfo.InvariantCulture) ?? "-",8}  {tests}");
        }

        return text.ToString();
    }

    /// <summary>The level the rubric's evidence suggests per mapped criterion for the template,
    /// the solution and each variant: what a reviewer would be offered for each.</summary>
    public string SuggestionsTable()
    {
        var rubric = Manifest.Rubric.Where(c => c.Evidence.Count > 0).ToList();
        if (rubric.Count == 0)
        {
            return "RUBRIC: no criterion maps evidence, so reviewers get no suggested levels\n";
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"SUGGESTED LEVELS",-36} {string.Join(" ", rubric.Select(c => $"{c.Id,-16}"))}");
        var rows = new[] { ("template", Template), ("solution", Solution) }.Concat(Variants.Select(v => ($"variant {v.Variant}", v.Report)));
        foreach (var (name, report) in rows)
        {
            var levels = RubricSuggestions.For(rubric, report).Select(s => s.Level is { } l ? RubricEvidence.Word(l) : "-");
            text.AppendLine(CultureInfo.InvariantCulture, $"{name,-36} {string.Join(" ", levels.Select(l => $"{l,-16}"))}");
        }

        return text.ToString();
    }

    private static string FirstLine(string? message) => message?.Split('\n')[0].Trim() ?? "";
}

/// <summary>Checks a scenario does what its manifest says: every hidden test fails on the template
/// with its declared message (so a test failing for another reason, a refused connection say,
/// does not count) and every guard passes there, everything passes on template + solution, the primary metric improves at
/// least <see cref="MinimumImprovement"/>x, and each variant gets its declared outcome.</summary>
/// <param name="variantsAtOnce">How many variants are graded at the same time, each in sandboxes of
/// its own. The template and the solution are always graded alone, first: the template's grading
/// builds what every later one takes from the cache, and the solution's holds the timed rounds.</param>
/// <param name="observer">Told as each grading starts and ends (the workers record each with its
/// live progress); none for the command line, which prints the result at the end.</param>
public sealed class ScenarioVerifier(GradingEngine engine, IGradingHostFactory hosts, int variantsAtOnce = 1, IVerificationObserver? observer = null)
{
    /// <summary>How much better the reference solution must be on the primary metric.</summary>
    public const double MinimumImprovement = 5;

    private readonly int _variantsAtOnce = variantsAtOnce >= 1 ? variantsAtOnce
        : throw new ArgumentOutOfRangeException(nameof(variantsAtOnce), variantsAtOnce, "At least one variant is graded at a time.");

    /// <summary>Runs the template, the solution and every variant, one grading each.</summary>
    public async Task<VerificationResult> VerifyAsync(ScenarioPackage package, CancellationToken cancellationToken)
    {
        var manifest = package.Manifest;
        var problems = new List<string>();
        var template = package.TemplateFiles.ToList();

        // Only the solution's grading runs the baseline beside it: the template's own grading and the
        // variants are read for their test outcomes.
        var templateReport = await GradeAsync(package, template, "template", compare: false, cancellationToken);
        CheckTemplate(manifest, templateReport, problems);

        var solutionReport = await GradeAsync(package, GradingRequest.Overlay(template, package.SolutionFiles), "solution", compare: true, cancellationToken);
        CheckPasses("template + solution", solutionReport, problems);
        CheckPublicTests("template + solution", solutionReport, problems);
        CheckMetrics(manifest, templateReport, solutionReport, problems);
        CheckSuggestions(manifest, templateReport, solutionReport, problems);

        var variants = await GradeVariantsAsync(package, template, cancellationToken);
        foreach (var (variant, (_, report)) in manifest.Variants.Zip(variants))
        {
            CheckVariant(variant, report, problems);
        }

        return new VerificationResult(manifest, templateReport, solutionReport, variants, problems);
    }

    /// <summary>Every variant's grading, in the manifest's order. A variant is judged by its hidden
    /// tests alone, so its public tests (the template's) are not run and it is not timed: nothing
    /// read from it depends on the machine being quiet, and several run at once.</summary>
    private async Task<IReadOnlyList<(string Variant, GradingReport Report)>> GradeVariantsAsync(ScenarioPackage package, IReadOnlyList<PackageFile> template, CancellationToken cancellationToken)
    {
        var variants = package.Manifest.Variants;
        var reports = new GradingReport[variants.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = _variantsAtOnce, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, variants.Count), options, async (index, token) =>
        {
            var variant = variants[index];
            // One expected to fail stops with the phase its declared test failed in: the later
            // phases could not change what is checked of it (idempotent-webhook's check-then-act
            // fails in the first of four).
            var stopAfter = variant.Expect == VariantExpectation.Fail ? variant.FailingTest : null;
            reports[index] = await GradeAsync(package, GradingRequest.Overlay(template, package.VariantFiles(variant.Name)), $"variant:{variant.Name}", compare: false, token, publicTests: false, stopAfter);
        });
        return [.. variants.Select((v, i) => (v.Name, reports[i]))];
    }

    private async Task<GradingReport> GradeAsync(ScenarioPackage package, IReadOnlyList<PackageFile> tree, string name, bool compare, CancellationToken cancellationToken, bool publicTests = true, string? stopAfterFailing = null)
    {
        await using var recording = observer is null ? null : await observer.StartingAsync(name, cancellationToken);
        GradingReport report;
        await using (var host = await hosts.CreateAsync(package, candidateSubmission: false, cancellationToken))
        {
            report = await engine.RunAsync(new GradingRequest(package, tree, new SubjectRef(SubjectKind.Verification, name, null), compare, publicTests, stopAfterFailing), host, cancellationToken, recording?.Progress);
        }

        if (recording is not null)
        {
            await recording.FinishedAsync(report, cancellationToken);
        }

        return report;
    }

    /// <summary>Every metric compared on both sides, the primary one improved enough, and each
    /// count declared deterministic the same on the template's own grading as on the baseline side
    /// of the solution's (a count that varies must say <c>deterministic: false</c>, or a kept
    /// baseline would misreport later candidates).</summary>
    internal static void CheckMetrics(ScenarioManifest manifest, GradingReport templateReport, GradingReport solutionReport, List<string> problems)
    {
        foreach (var metric in solutionReport.Metrics.Where(m => m.Comparison == MetricComparison.NotCompared))
        {
            problems.Add($"metric {metric.Key} was not measured on both the baseline ({Describe(metric.Baseline)}) and the solution ({Describe(metric.Candidate)}){(metric.Note is { } note ? $": {note}" : "")}");
        }

        var primary = solutionReport.Metrics.Single(m => m.Primary);
        if (primary.Improvement is not { } improvement)
        {
            problems.Add($"primary metric {primary.Key} was not measured on both sides; the hidden tests must write it to ASSESS_METRICS_FILE");
        }
        else if (improvement < MinimumImprovement)
        {
            problems.Add($"primary metric {primary.Key} improves {improvement:0.##}x ({primary.Baseline} → {primary.Candidate}); at least {MinimumImprovement}x is required");
        }

        foreach (var declared in manifest.Metrics.Where(m => m.Deterministic))
        {
            var onTemplate = templateReport.Metrics.FirstOrDefault(m => m.Key == declared.Key)?.Candidate;
            var onBaseline = solutionReport.Metrics.FirstOrDefault(m => m.Key == declared.Key)?.Baseline;
            if (onTemplate is { } t && onBaseline is { } b && t != b)
            {
                problems.Add($"metric {declared.Key} counted {Describe(t)} on the template's grading but {Describe(b)} on the baseline beside the solution; mark it deterministic: false if it depends on timing ({declared.At})");
            }
        }
    }

    /// <summary>The rubric's evidence tells the template from the reference solution: every
    /// mapped criterion is suggested at least adequate for the solution, and at least one is
    /// suggested weak for the template. Evidence that cannot do that would mislead reviewers.</summary>
    internal static void CheckSuggestions(ScenarioManifest manifest, GradingReport templateReport, GradingReport solutionReport, List<string> problems)
    {
        var mapped = manifest.Rubric.Where(c => c.Evidence.Count > 0).ToList();
        if (mapped.Count == 0)
        {
            return;
        }

        foreach (var suggestion in RubricSuggestions.For(mapped, solutionReport))
        {
            if (suggestion.Level is not { } level)
            {
                if (suggestion.Criterion.Evidence.All(e => e.Kind == EvidenceKind.Finding))
                {
                    continue;  // findings only speak when present; a clean solution gets no suggestion
                }

                problems.Add($"rubric {suggestion.Criterion.Id}: none of its evidence could be read on the solution's grading: {string.Join("; ", suggestion.Readings.Select(r => r.Says))} ({suggestion.Criterion.At})");
            }
            else if (level < RubricLevel.Adequate)
            {
                problems.Add($"rubric {suggestion.Criterion.Id}: the solution is suggested {RubricEvidence.Word(level)}; it must be at least adequate: {string.Join("; ", suggestion.Deciding.Select(r => r.Says))} ({suggestion.Criterion.At})");
            }
        }

        var onTemplate = RubricSuggestions.For(mapped, templateReport);
        if (!onTemplate.Any(s => s.Level == RubricLevel.Weak))
        {
            problems.Add($"rubric: no criterion's evidence suggests weak for the template ({string.Join(", ", onTemplate.Select(s => $"{s.Criterion.Id}: {(s.Level is { } l ? RubricEvidence.Word(l) : "no evidence")}"))}); the evidence cannot tell the unfixed service from a fix");
        }
    }

    internal static void CheckTemplate(ScenarioManifest manifest, GradingReport report, List<string> problems)
    {
        if (report.Verdict is not (Verdict.TestsFailed or Verdict.Passed) || report.Stage == "start")
        {
            problems.Add($"the template could not be graded: {report.Verdict} at {report.Stage}: {report.Message}");
            return;
        }

        CheckPublicTests("the template", report, problems);
        foreach (var declared in manifest.Hidden.Tests)
        {
            var results = report.Tests.Where(t => t.Visibility == TestVisibility.Hidden && GradingEngine.SameTest(t.Name, declared.Name)).ToList();
            if (results.Count == 0)
            {
                problems.Add($"hidden test {declared.Name} did not run on the template");
            }
            else if (declared.IsGuard)
            {
                var failing = results.FirstOrDefault(t => t.Status != TestStatus.Pass);
                if (failing is not null)
                {
                    problems.Add($"guard {declared.Name} must pass on the template, but: {failing.Status}: \"{failing.Message}\"");
                }
            }
            else if (results.All(t => t.Status == TestStatus.Pass))
            {
                problems.Add($"hidden test {declared.Name} passes on the template; it must fail with \"{declared.FailsOnTemplateWith}\"");
            }
            else if (!results.Any(t => t.Status == TestStatus.Fail && t.Message?.Contains(declared.FailsOnTemplateWith!, StringComparison.Ordinal) == true))
            {
                var actual = results.First(t => t.Status != TestStatus.Pass);
                problems.Add($"hidden test {declared.Name} fails on the template for another reason: {actual.Status}: \"{actual.Message}\" (declared: \"{declared.FailsOnTemplateWith}\")");
            }
        }
    }

    private static void CheckPasses(string what, GradingReport report, List<string> problems)
    {
        if (report.Verdict == Verdict.Passed)
        {
            return;
        }

        var failing = report.Tests.Where(t => t.Visibility == TestVisibility.Hidden && t.Status is TestStatus.Fail or TestStatus.Error).ToList();
        problems.Add(failing.Count == 0
            ? $"{what}: {report.Verdict} at {report.Stage}: {report.Message}"
            : $"{what}: hidden tests fail: {string.Join("; ", failing.Select(t => $"{t.Name}: {t.Message}"))}");
    }

    private static void CheckPublicTests(string what, GradingReport report, List<string> problems)
    {
        var failing = report.Tests.Where(t => t.Visibility == TestVisibility.Public && t.Status is TestStatus.Fail or TestStatus.Error).ToList();
        if (failing.Count > 0)
        {
            problems.Add($"{what}: public tests fail: {string.Join("; ", failing.Select(t => $"{t.Name}: {t.Message}"))}");
        }
    }

    internal static void CheckVariant(VariantDefinition variant, GradingReport report, List<string> problems)
    {
        if (variant.Expect == VariantExpectation.Pass)
        {
            CheckPasses($"variant {variant.Name} (expected to pass)", report, problems);
            return;
        }

        var failing = report.Tests.Where(t => t.Visibility == TestVisibility.Hidden && GradingEngine.SameTest(t.Name, variant.FailingTest!) && t.Status == TestStatus.Fail).ToList();
        if (failing.Count == 0)
        {
            problems.Add($"variant {variant.Name} was expected to fail {variant.FailingTest}, but {(report.Verdict == Verdict.Passed ? "everything passed" : $"got {report.Verdict} at {report.Stage}")}");
        }
    }

    private static string Describe(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "not measured";
}

/// <summary>Told about each grading of a verification: <c>template</c>, <c>solution</c>, then
/// <c>variant:NAME</c> for each variant (several at once when the verifier grades variants side by
/// side).</summary>
public interface IVerificationObserver
{
    /// <summary>The grading named <paramref name="name"/> is about to start.</summary>
    Task<IVerificationGrading> StartingAsync(string name, CancellationToken cancellationToken);
}

/// <summary>One grading of a verification as it runs: its stages go to <see cref="Progress"/>, and
/// its report to <see cref="FinishedAsync"/> when it ends. Disposed whether or not it ended.</summary>
public interface IVerificationGrading : IAsyncDisposable
{
    /// <summary>Receives the grading's stages as the engine runs them.</summary>
    IProgress<GradingProgress>? Progress { get; }

    /// <summary>The grading ended with <paramref name="report"/>.</summary>
    Task FinishedAsync(GradingReport report, CancellationToken cancellationToken);
}
