using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;

namespace Assessments.EndToEnd.Tests;

/// <summary>Every scenario of the library verifies in the Docker sandbox, as an author runs it:
/// <c>assess scenario verify ID</c> grades the template (each hidden test fails with its declared message, public tests pass), the solution
/// (everything passes, the primary metric improves at least 5x) and each variant (its declared outcome).
/// Each scenario's variants are graded two at a time, as an author may (<c>--variants-at-once</c>);
/// scripts/test runs these beside the Runner's tests (docs/PERFORMANCE.md).</summary>
[Trait("Category", Category)]
public sealed class ScenarioLibraryVerificationTests
{
    public const string Category = "ScenarioVerification";

    /// <summary>The trait each row carries with its scenario's id.</summary>
    public const string ScenarioTrait = "Scenario";

    /// <summary>Each scenario of the library, with a <c>Scenario</c> trait naming it so scripts/test can
    /// spread the library over its two chains (<c>--filter "Scenario=cache-stampede"</c>).</summary>
    public static IEnumerable<TheoryDataRow<string>> Scenarios()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(RepositoryRoot.Path, "scenarios")).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(folder, ScenarioPackage.ManifestFileName)))
            {
                var id = Path.GetFileName(folder);
                yield return new TheoryDataRow<string>(id).WithTrait(ScenarioTrait, id);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task ScenarioVerifiesInTheSandbox(string id)
    {
        var scratch = Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath();
        var reports = Path.Combine(scratch, "verification-reports", id);
        var (exitCode, stdout, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["Scenarios__LibraryPath"] = Path.Combine(RepositoryRoot.Path, "scenarios"),
                ["ASSESSMENTS_SCRATCH"] = scratch,
                ["Sandbox__CacheFolder"] = Path.Combine(scratch, "sandbox-cache"),
            },
            TimeSpan.FromMinutes(25),
            "scenario", "verify", id, "--reports", reports, "--variants-at-once", "2");

        // The output carries the template's failures, the before/after table and every problem.
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);
        Assert.True(exitCode == 0, $"{id} did not verify (exit {exitCode}); reports in {reports}\n{stdout}\n{stderr}");
        Assert.Contains($"{id}: verified.", stdout);

        // Graded in the sandbox, and the report says under what isolation.
        var solution = Runner.Results.GradingReport.FromJson(await File.ReadAllTextAsync(Path.Combine(reports, "solution.json"), TestContext.Current.CancellationToken));

        // Every declared metric, counted and timed, with the baseline measured beside the solution
        // (or, for a deterministic count, kept from an earlier grading of the version): both
        // medians, the ratio, the spread and the samples behind them.
        var manifest = ScenarioPackage.Load(Path.Combine(RepositoryRoot.Path, "scenarios", id)).GetPackageOrThrow(id).Manifest;
        var declared = manifest.Metrics.Select(m => m.Key)
            .Concat(manifest.Benchmarks!.Endpoints.SelectMany(e => new[] { e.MedianKey, e.P95Key }))
            .ToList();
        Assert.Equal(declared, solution.Metrics.Select(m => m.Key));
        Assert.All(solution.Metrics, m =>
        {
            Assert.True(m.Candidate is not null && m.Baseline is not null && m.Ratio is not null && m.Spread is not null && m.BaselineSpread is not null, $"{m.Key}: {m.Note}");
            Assert.NotEqual(MetricComparison.NotCompared, m.Comparison);
            Assert.NotEqual(BaselineSource.None, m.BaselineSource);
        });
        Assert.All(solution.Metrics.Where(m => m.Kind == MetricKind.Timed), m =>
        {
            Assert.Equal(BaselineSource.Measured, m.BaselineSource);
            Assert.Equal(manifest.Benchmarks!.Rounds, m.Samples.Count);
            Assert.Equal(manifest.Benchmarks!.Rounds, m.BaselineSamples.Count);
        });
        // A variant is judged by its hidden tests: its public tests (the template's) are not run,
        // and each report sits under its own name, whatever order the gradings ended in.
        foreach (var variant in manifest.Variants)
        {
            var report = Runner.Results.GradingReport.FromJson(await File.ReadAllTextAsync(Path.Combine(reports, $"variant-{variant.Name}.json"), TestContext.Current.CancellationToken));
            Assert.Equal($"variant:{variant.Name}", report.Subject.Tree);
            Assert.DoesNotContain(report.Tests, t => t.Visibility == TestVisibility.Public);
            Assert.DoesNotContain(report.Stages, s => s.Name.Contains("public-tests", StringComparison.Ordinal));

            // One expected to fail stops with the phase its declared test failed in: the later
            // phases' tests are reported skipped, and none of them ran.
            if (variant.Expect == VariantExpectation.Fail)
            {
                var failedIn = manifest.Hidden.Tests.Single(t => t.Name == variant.FailingTest).Phase;
                var later = manifest.Phases.SkipWhile(p => p.Name != failedIn).Skip(1).Select(p => p.Name).ToList();
                Assert.DoesNotContain(report.Stages, s => later.Any(p => s.Name == $"hidden-tests:{p}"));
                Assert.All(report.Tests.Where(t => later.Contains(t.Phase!)), t => Assert.Equal(TestStatus.Skipped, t.Status));
            }
        }

        var primary = solution.Metrics.Single(m => m.Primary);
        Assert.True(primary.Improvement >= 5, $"{primary.Key}: {primary.Baseline} → {primary.Candidate}");
        Assert.Contains(primary.Key + " *", stdout);
        Assert.Equal("docker", solution.Environment.Host);
        Assert.StartsWith("sha256:", solution.Environment.ImageDigest);
        Assert.Equal("lo", solution.Environment.Isolation["candidate.network"]);
        Assert.Equal("10002", solution.Environment.Isolation["candidate.uid"]);
    }
}
