using Assessments.Runner.Results;
using Assessments.Runner.Scoring;
using Assessments.Runner.Verification;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;
using Assessments.Tests.Shared;
using ResultsDirection = Assessments.Runner.Results.MetricDirection;

namespace Assessments.Runner.Tests.Scoring;

/// <summary>Suggested levels from evidence: first the rules on hand-made reports, then every
/// library scenario's mapping on the reports its last verification stored
/// (<c>Fixtures/StoredReports/ID/</c>, written by <c>assess scenario verify ID --reports</c>), so no
/// sandbox grading runs here.</summary>
public sealed class RubricSuggestionsTests
{
    private static readonly SourceLocation Here = new("scenario.yaml", 1, 1);

    [Fact]
    public void OneFailingTestCapsTheCriterionWhateverElsePasses()
    {
        var criterion = Criterion(Test("FirstTest"), Test("SecondTest"), Test("ThirdTest"));
        var report = Report(Hidden("FirstTest", TestStatus.Pass), Hidden("SecondTest", TestStatus.Fail, "expected 1 email, got 3\nstack"), Hidden("ThirdTest", TestStatus.Pass));

        var suggestion = RubricSuggestions.For(criterion, report);

        Assert.Equal(RubricLevel.Weak, suggestion.Level);
        var deciding = Assert.Single(suggestion.Deciding);
        Assert.Equal("hidden test SecondTest failed: expected 1 email, got 3", deciding.Says);
    }

    [Fact]
    public void ATestsFailingLevelIsTheAuthorsAndATestThatDidNotRunCountsAsFailing()
    {
        var criterion = Criterion(Test("Slow") with { Failing = RubricLevel.Adequate }, Test("Never"));
        var report = Report(Hidden("Slow", TestStatus.Fail, "took 3 s")) with { Verdict = Verdict.TestsFailed, Stage = "hidden-tests:main" };

        var suggestion = RubricSuggestions.For(criterion, report);

        Assert.Equal([RubricLevel.Adequate, RubricLevel.Weak], suggestion.Readings.Select(r => r.Level!.Value));
        Assert.Equal("hidden test Never did not run (the grading stopped at hidden-tests:main: tests-failed)", suggestion.Readings[1].Says);
        Assert.Equal(RubricLevel.Weak, suggestion.Level);
    }

    [Theory]
    [InlineData(4, RubricLevel.Strong)]
    [InlineData(10, RubricLevel.Strong)]
    [InlineData(11, RubricLevel.Adequate)]
    [InlineData(20, RubricLevel.Adequate)]
    [InlineData(804, RubricLevel.Weak)]
    public void ALowerIsBetterMetricMeetsItsThresholdsAtOrBelowThem(double statements, RubricLevel expected)
    {
        var criterion = Criterion(Metric("statements_per_request", strong: 10, adequate: 20));
        var report = Report() with { Metrics = [Measured("statements_per_request", ResultsDirection.Lower, statements, baseline: 804)] };

        var reading = Assert.Single(RubricSuggestions.For(criterion, report).Readings);

        Assert.Equal(expected, reading.Level);
        Assert.StartsWith($"statements_per_request: {statements} statements, baseline 804 (", reading.Says);
    }

    [Theory]
    [InlineData(120, RubricLevel.Strong)]
    [InlineData(60, RubricLevel.Adequate)]
    [InlineData(10, RubricLevel.Weak)]
    public void AHigherIsBetterMetricMeetsItsThresholdsAtOrAboveThem(double throughput, RubricLevel expected)
    {
        var criterion = Criterion(Metric("requests_per_second", strong: 100, adequate: 50));
        var report = Report() with { Metrics = [Measured("requests_per_second", ResultsDirection.Higher, throughput, baseline: 20)] };

        Assert.Equal(expected, RubricSuggestions.For(criterion, report).Level);
    }

    [Fact]
    public void ARatioThresholdReadsTheRatioAndAMetricNotComparedSaysNothing()
    {
        var criterion = Criterion(Metric("latency_search_p50", strong: 0.2, adequate: 0.5) with { On = MetricScale.Ratio });
        var compared = Report() with { Metrics = [Measured("latency_search_p50", ResultsDirection.Lower, 30, baseline: 100)] };
        var alone = Report() with { Metrics = [Measured("latency_search_p50", ResultsDirection.Lower, 30, baseline: null) with { Note = "Not compared: too many requests failed.\nmore" }] };

        Assert.Equal(RubricLevel.Adequate, RubricSuggestions.For(criterion, compared).Level);
        var nothing = RubricSuggestions.For(criterion, alone);
        Assert.Null(nothing.Level);
        Assert.Equal("latency_search_p50 against the baseline was not measured: Not compared: too many requests failed.", Assert.Single(nothing.Readings).Says);
    }

    [Fact]
    public void AFindingCapsWhenPresentAndClaimsNothingWhenAbsent()
    {
        var criterion = Criterion(Test("Works"), new RubricEvidence(EvidenceKind.Finding, FindingRule.SwallowedException, Here) { Present = RubricLevel.Adequate });
        var clean = Report(Hidden("Works", TestStatus.Pass));
        var smelly = clean with { Findings = [new FindingOutcome(FindingRule.SwallowedException, FindingSeverity.Warning, "src/Api/Outbox.cs", 42, "catch-all")] };

        Assert.Equal(RubricLevel.Strong, RubricSuggestions.For(criterion, clean).Level);
        Assert.Null(RubricSuggestions.For(criterion, clean).Readings[1].Level);
        var capped = RubricSuggestions.For(criterion, smelly);
        Assert.Equal(RubricLevel.Adequate, capped.Level);
        Assert.Equal("1 swallowed-exception finding: src/Api/Outbox.cs:42", Assert.Single(capped.Deciding).Says);
    }

    [Fact]
    public void AGradingTheGraderBrokeSuggestsNothingAndACriterionWithoutEvidenceNeither()
    {
        var report = Report() with { Verdict = Verdict.SandboxError, Stage = "start", Message = "the engine went away" };

        Assert.Null(RubricSuggestions.For(Criterion(Test("Works")), report).Level);
        var unmapped = RubricSuggestions.For(Criterion(), Report(Hidden("Works", TestStatus.Pass)));
        Assert.False(unmapped.Mapped);
        Assert.Null(unmapped.Level);
    }

    /// <summary>The criterion in each library scenario a template must be weak on: the fix itself.</summary>
    public static TheoryData<string, string> LibraryFixCriteria => new()
    {
        { "cache-stampede", "coalescing" },
        { "idempotent-webhook", "idempotency" },
        { "n-plus-one", "fix" },
        { "slow-endpoint", "index-and-query" },
    };

    [Theory]
    [MemberData(nameof(LibraryFixCriteria))]
    public void TheReferenceSolutionIsAtLeastAdequateEverywhereAndTheTemplateIsWeakOnTheFix(string scenario, string fixCriterion)
    {
        var manifest = Manifest(scenario);
        var mapped = manifest.Rubric.Where(c => c.Evidence.Count > 0).ToList();
        Assert.Contains(mapped, c => c.Id == fixCriterion);

        foreach (var suggestion in RubricSuggestions.For(mapped, StoredReport(scenario, "solution")))
        {
            Assert.True(suggestion.Level >= RubricLevel.Adequate, $"{scenario} {suggestion.Criterion.Id}: {suggestion.Level}: {string.Join("; ", suggestion.Readings.Select(r => r.Says))}");
        }

        var onTemplate = RubricSuggestions.For(manifest.Rubric.Single(c => c.Id == fixCriterion), StoredReport(scenario, "template"));
        Assert.Equal(RubricLevel.Weak, onTemplate.Level);
        Assert.NotEmpty(onTemplate.Deciding);

        // The verifier's own check agrees on the same reports.
        var problems = new List<string>();
        ScenarioVerifier.CheckSuggestions(manifest, StoredReport(scenario, "template"), StoredReport(scenario, "solution"), problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void VerificationRefusesEvidenceThatCannotTellTheTemplateFromAFix()
    {
        // The reports swapped: evidence that found the solution weak and the template strong.
        var problems = new List<string>();
        ScenarioVerifier.CheckSuggestions(Manifest("n-plus-one"), StoredReport("n-plus-one", "solution"), StoredReport("n-plus-one", "template"), problems);

        Assert.Contains(problems, p => p.StartsWith("rubric fix: the solution is suggested weak; it must be at least adequate: hidden test OrdersPage_StatementsPerRequestStayConstantAcrossPageSizes failed: GET /orders: statements per request grew with page size", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("rubric: no criterion's evidence suggests weak for the template (fix: strong, behaviour: strong)", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(LibraryFixCriteria))]
    public void EveryShortcutTheScenarioAnticipatesIsSuggestedBelowStrongSomewhere(string scenario, string fixCriterion)
    {
        _ = fixCriterion;
        var manifest = Manifest(scenario);
        var mapped = manifest.Rubric.Where(c => c.Evidence.Count > 0).ToList();
        Assert.All(manifest.Variants, variant =>
        {
            var suggestions = RubricSuggestions.For(mapped, StoredReport(scenario, $"variant-{variant.Name}"));
            var summary = string.Join(", ", suggestions.Select(s => $"{s.Criterion.Id}: {s.Level}"));
            if (variant.Expect == VariantExpectation.Fail)
            {
                Assert.True(suggestions.Any(s => s.Level < RubricLevel.Strong), $"{scenario} variant {variant.Name} is suggested strong everywhere: {summary}");
            }
            else
            {
                Assert.True(suggestions.All(s => s.Level >= RubricLevel.Adequate), $"{scenario} variant {variant.Name} passes yet is suggested weak: {summary}");
            }
        });
    }

    private static ScenarioManifest Manifest(string scenario)
    {
        var folder = Path.Combine(RepositoryRoot.Path, "scenarios", scenario);
        return ScenarioPackage.Load(folder).GetPackageOrThrow(folder).Manifest;
    }

    private static GradingReport StoredReport(string scenario, string name) =>
        GradingReport.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "StoredReports", scenario, $"{name}.json")));

    private static RubricCriterion Criterion(params RubricEvidence[] evidence) =>
        new("fix", "The fix", 40, "strong", "adequate", "weak", Here) { Evidence = evidence };

    private static RubricEvidence Test(string name) => new(EvidenceKind.Test, name, Here);

    private static RubricEvidence Metric(string key, double strong, double adequate) =>
        new(EvidenceKind.Metric, key, Here) { Strong = strong, Adequate = adequate };

    private static TestOutcome Hidden(string name, TestStatus status, string? message = null) =>
        new() { Name = name, Visibility = TestVisibility.Hidden, Phase = "main", Status = status, Message = message };

    private static MetricOutcome Measured(string key, ResultsDirection direction, double candidate, double? baseline) => new()
    {
        Key = key,
        Title = key,
        Unit = key.StartsWith("latency", StringComparison.Ordinal) ? "ms" : key.Split('_')[0],
        Direction = direction,
        Kind = MetricKind.Counted,
        Candidate = candidate,
        Baseline = baseline,
        Ratio = baseline is { } b ? candidate / b : null,
        Comparison = baseline is null ? MetricComparison.NotCompared : MetricComparison.Better,
        BaselineSource = baseline is null ? BaselineSource.None : BaselineSource.Measured,
    };

    private static GradingReport Report(params TestOutcome[] tests) => new()
    {
        Status = ReportStatus.Pass,
        Verdict = tests.All(t => t.Status == TestStatus.Pass) ? Verdict.Passed : Verdict.TestsFailed,
        Scenario = new ScenarioRef("tiny", "1.0", new string('0', 64)),
        Subject = new SubjectRef(SubjectKind.Candidate, "submission", "abc"),
        Tests = tests,
        Environment = new RunEnvironment("local", null, new Dictionary<string, string>()),
        StartedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch,
    };
}
