using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Runner.Verification;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests;

/// <summary>The whole plan on the local host, on a package freshly written by <c>assess scenario new</c>'s
/// scaffold: a real PostgreSQL cluster, real builds, the service as a process, hidden tests as an executable.</summary>
public sealed class LocalHostVerificationTests
{
    private static readonly string Scratch = Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath();

    [Fact]
    public async Task ScaffoldedScenarioVerifiesWithItsDeclaredFailuresAndTheGap()
    {
        var ct = TestContext.Current.CancellationToken;
        var library = Directory.CreateTempSubdirectory("scaffold-");
        var path = Path.Combine(library.FullName, "first-scenario");
        await ScenarioScaffold.WriteAsync("first-scenario", path, ct);
        var package = ScenarioPackage.Load(path).GetPackageOrThrow(path);
        var options = new GradingEngineOptions(Path.Combine(library.FullName, "cache"));
        var verifier = new ScenarioVerifier(new GradingEngine(options), new LocalHostFactory(Scratch));

        var result = await verifier.VerifyAsync(package, ct);

        // The hidden tests are built once for the version, by the first grading.
        Assert.Contains(result.Template.Stages, s => s.Name == "build-hidden");
        Assert.Contains(result.Solution.Stages, s => s.Name == "build-hidden:cached");

        Assert.True(result.Verified, string.Join("\n", result.Problems) + "\n" + result.Template.ToJson());
        var templateTests = result.Template.Tests.Where(t => t.Visibility == TestVisibility.Hidden).ToDictionary(t => t.Name);
        Assert.StartsWith("GET /greeting took 10 statements", templateTests["GreetingTakesOneStatement"].Message);
        Assert.Equal("after-restart", templateTests["GreetingCountSurvivesRestart"].Phase);
        Assert.All(result.Template.Tests.Where(t => t.Visibility == TestVisibility.Public), t => Assert.Equal(TestStatus.Pass, t.Status));

        var primary = result.Solution.Metrics.Single(m => m.Primary);
        Assert.Equal(10, primary.Baseline);
        Assert.Equal(1, primary.Candidate);
        Assert.Equal(10, primary.Improvement);
        Assert.Equal(Verdict.Passed, result.Solution.Verdict);
        Assert.Equal(Verdict.TestsFailed, Assert.Single(result.Variants).Report.Verdict);
        Assert.Contains("statements_per_request *", result.MetricsTable());

        // The baseline ran beside the solution: its count measured there (the cache was empty),
        // the greeting timed on both sides in every round.
        Assert.Equal((MetricKind.Counted, BaselineSource.Measured, MetricComparison.Better), (primary.Kind, primary.BaselineSource, primary.Comparison));
        Assert.Equal(0.1, primary.Ratio);
        Assert.Contains(result.Solution.Stages, s => s.Name == "baseline-build" && s.Side == Side.Baseline);
        Assert.Contains(result.Solution.Stages, s => s.Name == "baseline-counts:main" && s.Status == StageStatus.Ok);
        // The count is written in the first phase, so the baseline is not restarted for the second.
        Assert.Contains(result.Solution.Stages, s => s.Name == "hidden-tests:after-restart");
        Assert.DoesNotContain(result.Solution.Stages, s => s.Name == "baseline-counts:after-restart");
        Assert.Contains(result.Solution.Stages, s => s.Name == "benchmarks" && s.Status == StageStatus.Ok);
        foreach (var key in new[] { "latency_greeting_p50", "latency_greeting_p95" })
        {
            var timed = result.Solution.Metrics.Single(m => m.Key == key);
            Assert.Equal((MetricKind.Timed, BaselineSource.Measured, "ms"), (timed.Kind, timed.BaselineSource, timed.Unit));
            Assert.Equal(5, timed.Samples.Count);
            Assert.Equal(5, timed.BaselineSamples.Count);
            Assert.True(timed.Ratio > 0 && timed.Spread >= 0 && timed.BaselineSpread >= 0, timed.ToString());
            Assert.NotEqual(MetricComparison.NotCompared, timed.Comparison);
        }

        // Neither the template's own grading nor the variant ran the baseline.
        Assert.DoesNotContain(result.Template.Stages, s => s.Side == Side.Baseline);
        Assert.All(result.Template.Metrics, m => Assert.Equal(BaselineSource.None, m.BaselineSource));

        // A second grading of the version keeps the deterministic count and the baseline's build,
        // and times both sides again: a timing is never kept.
        await using (var host = await new LocalHostFactory(Scratch).CreateAsync(package, candidateSubmission: false, ct))
        {
            var again = await new GradingEngine(options).RunAsync(
                new GradingRequest(package, GradingRequest.Overlay(package.TemplateFiles, package.SolutionFiles), new SubjectRef(SubjectKind.Verification, "solution", null)), host, ct);
            var kept = again.Metrics.Single(m => m.Primary);
            Assert.Equal((10.0, 1.0, BaselineSource.Cached), (kept.Baseline!.Value, kept.Candidate!.Value, kept.BaselineSource));
            Assert.DoesNotContain(again.Stages, s => s.Name.StartsWith("baseline-counts", StringComparison.Ordinal));
            Assert.Contains(again.Stages, s => s.Name == "baseline-build:cached");
            Assert.All(again.Metrics.Where(m => m.Kind == MetricKind.Timed), m => Assert.Equal((BaselineSource.Measured, 5), (m.BaselineSource, m.BaselineSamples.Count)));
        }

        // Each report carries the change against the template, read from the tree before anything ran.
        Assert.Empty(result.Template.Changes);
        var program = Assert.Single(result.Solution.Changes);
        Assert.Equal(("src/Greeting.Api/Program.cs", ChangeKind.Modified), (program.Path, program.Kind));
        Assert.True(program.LinesAdded > 0);
        Assert.Contains(program.Members, m => m.Name == "<top-level statements>" && m.Kind == ChangeKind.Modified);
        Assert.Empty(result.Solution.Findings);
        library.Delete(recursive: true);
    }

    [Fact]
    public void LocalHostRefusesCandidateSubmissions()
    {
        var error = Assert.Throws<InvalidOperationException>(() => LocalHost.Create(Scratch, candidateSubmission: true));
        Assert.Contains("Docker sandbox", error.Message);
    }
}
