using Assessments.Scenarios.Manifest;

namespace Assessments.Scenarios.Tests;

/// <summary>One broken package per test, each with the exact error an author would read.</summary>
public sealed class PackageValidationTests
{
    private const string Yaml = "scenarios/tiny/scenario.yaml";

    [Fact]
    public void ValidPackageLoads()
    {
        using var package = new TestPackage();
        var result = package.Load();
        Assert.Empty(result.Errors);
        Assert.Equal("tiny", result.Package!.Manifest.Id);
        Assert.Equal("statements_per_request", result.Package.Manifest.PrimaryMetric.Key);
        Assert.Equal(["main", "after-restart"], result.Package.Manifest.Phases.Select(p => p.Name));
        Assert.True(result.Package.Manifest.Phases[1].RestartService);
        Assert.Equal(TimeSpan.FromMinutes(30), result.Package.Manifest.SuggestedTime);
        Assert.Equal(2L << 30, result.Package.Manifest.Limits.MemoryBytes);
        Assert.Contains(result.Package.TemplateFiles, f => f.Path == "README.md");
    }

    [Fact]
    public void UnclosedBracketNamesWhereItOpens()
    {
        using var package = new TestPackage();
        package.EditManifest("skills: [testing]", "skills: [testing");
        Assert.Equal($"{Yaml}:7:9: not valid YAML: a bracket, brace or quote that opens here is not closed", package.SingleError());
    }

    [Fact]
    public void ATagThatIsNotAUriIsAnErrorNotAnException()
    {
        // Found by fuzzing: YamlDotNet throws ArgumentException, not YamlException, for it.
        using var package = new TestPackage();
        package.EditManifest("level: mid", "level: !![[binary mid");
        Assert.Contains(": not valid YAML after this point: ", package.SingleError());
    }

    [Fact]
    public void BadIndentationNamesTheLine()
    {
        using var package = new TestPackage();
        package.EditManifest("summary: A package small enough for tests.\n", "summary: A package small enough for tests.\n  oops: here\n");
        Assert.StartsWith($"{Yaml}:5:", package.SingleError());
        Assert.Contains(": not valid YAML: ", package.SingleError());
    }

    [Fact]
    public void UnknownKeyIsAnErrorNotIgnored()
    {
        using var package = new TestPackage();
        package.EditManifest("title: Tiny service\n", "title: Tiny service\ncolour: blue\n");
        Assert.StartsWith($"{Yaml}:4:1: colour: unknown key (known here: ", package.SingleError());
    }

    [Fact]
    public void MisspelledNestedKeyIsReportedWhereItStands()
    {
        using var package = new TestPackage();
        package.EditManifest("    weight: 60", "    wieght: 60");
        var errors = package.Load().Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith($"{Yaml}:13:5: rubric[0].wieght: unknown key", StringComparison.Ordinal));
        Assert.Contains($"{Yaml}:11:5: rubric[0].weight: is required", errors);
    }

    [Fact]
    public void MissingRequiredKeyIsNamed()
    {
        using var package = new TestPackage();
        package.EditManifest("title: Tiny service\n", "");
        Assert.Equal($"{Yaml}:1:1: title: is required", package.SingleError());
    }

    [Fact]
    public void RubricWeightsMustAddUpToOneHundred()
    {
        using var package = new TestPackage();
        package.EditManifest("weight: 60", "weight: 50");
        Assert.Equal($"{Yaml}:11:5: rubric: weights add up to 90; they must add up to 100", package.SingleError());
    }

    [Fact]
    public void EvidenceMapsToATestAMetricAndAFinding()
    {
        using var package = new TestPackage();
        package.EditManifest("    weak: Wrong.\n", """
                weak: Wrong.
                evidence:
                  - test: AnswersHello
                    failing: adequate
                  - metric: statements_per_request
                    strong: 1
                    adequate: 3
                  - finding: swallowed-exception

            """);
        var result = package.Load();
        Assert.Empty(result.Errors);
        var evidence = result.Package!.Manifest.Rubric[0].Evidence;
        Assert.Equal([EvidenceKind.Test, EvidenceKind.Metric, EvidenceKind.Finding], evidence.Select(e => e.Kind));
        Assert.Equal(RubricLevel.Adequate, evidence[0].Failing);
        Assert.Equal((MetricScale.Value, 1.0, 3.0), (evidence[1].On, evidence[1].Strong!.Value, evidence[1].Adequate!.Value));
        Assert.Equal(RubricLevel.Adequate, evidence[2].Present);
        Assert.Empty(result.Package.Manifest.Rubric[1].Evidence);
    }

    [Fact]
    public void EvidenceNamingWhatDoesNotExistSaysWhatDoes()
    {
        using var package = new TestPackage();
        package.EditManifest("    weak: Wrong.\n", """
                weak: Wrong.
                evidence:
                  - test: AnswersHelo
                  - metric: statements_per_requests
                    strong: 1
                    adequate: 3
                  - finding: swallowed-exceptions

            """);
        var errors = package.Load().Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Equal($"{Yaml}:18:9: rubric[0].evidence[0].test: 'AnswersHelo' is not a declared hidden test (declared: AnswersHello, RemembersAfterRestart)", errors[0]);
        Assert.StartsWith($"{Yaml}:19:9: rubric[0].evidence[1].metric: 'statements_per_requests' is not a metric of this scenario (metrics: statements_per_request", errors[1]);
        Assert.StartsWith($"{Yaml}:22:9: rubric[0].evidence[2].finding: 'swallowed-exceptions' is not a finding rule (rules: blocking-on-async, ", errors[2]);
    }

    [Fact]
    public void MetricThresholdsFollowTheMetricsDirection()
    {
        using var package = new TestPackage();
        package.EditManifest("    weak: Wrong.\n", """
                weak: Wrong.
                evidence:
                  - metric: statements_per_request
                    strong: 5
                    adequate: 2

            """);
        Assert.Equal($"{Yaml}:18:9: rubric[0].evidence[0].strong: 5 is short of adequate's 2; statements_per_request is better lower, so strong must be at most adequate", package.SingleError());
    }

    [Fact]
    public void AnEvidenceItemIsOneThingWithItsOwnKeys()
    {
        using var package = new TestPackage();
        package.EditManifest("    weak: Wrong.\n", """
                weak: Wrong.
                evidence:
                  - test: AnswersHello
                    metric: statements_per_request
                  - test: AnswersHello
                    present: weak
                  - finding: process-exit
                    present: poor
                  - metric: statements_per_request
                    strong: 1

            """);
        var errors = package.Load().Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(
        [
            $"{Yaml}:18:9: rubric[0].evidence[0].test: names more than one of test:, metric: and finding:; write each as its own item",
            $"{Yaml}:21:9: rubric[0].evidence[1].present: unknown key (known here: failing, finding, metric, test)",
            $"{Yaml}:23:18: rubric[0].evidence[2].present: must be one of weak, adequate, strong",
            $"{Yaml}:24:9: rubric[0].evidence[3].adequate: is required",
        ], errors);
    }

    [Fact]
    public void DuplicateRubricIdNamesBothPlaces()
    {
        using var package = new TestPackage();
        package.EditManifest("id: notes", "id: correctness");
        Assert.Equal($"{Yaml}:17:5: rubric[1].id: duplicate rubric id 'correctness' (first at {Yaml}:11:5)", package.SingleError());
    }

    [Fact]
    public void ExactlyOneMetricIsPrimary()
    {
        using var package = new TestPackage();
        package.EditManifest("    primary: true\n", "    primary: true\n  - key: p95_ms\n    title: p95\n    unit: ms\n    direction: lower\n    primary: true\n");
        Assert.Equal($"{Yaml}:24:5: metrics: 2 metrics are marked primary; exactly one must be", package.SingleError());
    }

    [Fact]
    public void PackageWithoutVersionIsRejected()
    {
        using var package = new TestPackage();
        package.EditManifest("    version: 10.0.3\n", "");
        Assert.Equal($"{Yaml}:50:5: packages[0].version: is required", package.SingleError());
    }

    [Fact]
    public void PackageVersionRangeIsRejected()
    {
        using var package = new TestPackage();
        package.EditManifest("version: 10.0.3", "version: \"[10.0,)\"");
        Assert.Equal($"{Yaml}:51:14: packages[0].version: '[10.0,)' is not an exact version (10.0.3), not a range or a wildcard", package.SingleError());
    }

    [Fact]
    public void DeclaredHiddenTestThatDoesNotExist()
    {
        using var package = new TestPackage();
        package.Write("hidden/Tiny.Hidden/HiddenTests.cs", TestPackage.HiddenTests.Replace("AnswersHello()", "SaysHello()", StringComparison.Ordinal));
        var errors = package.Load().Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(
            [
                $"{Yaml}:39:7: hidden.tests[0].name: no [Fact] or [Theory] method 'AnswersHello' in scenarios/tiny/hidden/Tiny.Hidden/ (found: SaysHello, RemembersAfterRestart)",
                "scenarios/tiny/hidden/Tiny.Hidden/HiddenTests.cs:7:17: test 'SaysHello' is not declared in scenario.yaml hidden.tests; every hidden test states the failure it shows on the template",
            ],
            errors);
    }

    [Fact]
    public void HiddenTestInTheWrongPhase()
    {
        using var package = new TestPackage();
        package.Write("hidden/Tiny.Hidden/HiddenTests.cs", TestPackage.HiddenTests.Replace("[Trait(\"Phase\", \"main\")]", "[Trait(\"Phase\", \"after-restart\")]", StringComparison.Ordinal));
        Assert.Equal(
            "scenarios/tiny/hidden/Tiny.Hidden/HiddenTests.cs:7:17: test 'AnswersHello' has [Trait(\"Phase\", \"after-restart\")] but scenario.yaml puts it in phase 'main'",
            package.SingleError());
    }

    [Fact]
    public void HiddenTestInAnUndeclaredPhase()
    {
        using var package = new TestPackage();
        package.EditManifest("      phase: main\n", "      phase: warmup\n");
        var errors = package.Load().Errors.Select(e => e.ToString()).ToList();
        Assert.Contains($"{Yaml}:39:7: hidden.tests[0].phase: 'warmup' is not a phase; phases: main, after-restart", errors);
    }

    [Fact]
    public void HiddenTestMustDeclareItsTemplateFailureOrBeAGuard()
    {
        using var package = new TestPackage();
        package.EditManifest("      failsOnTemplateWith: \"expected hello\"\n", "");
        Assert.Equal(
            $"{Yaml}:39:7: hidden.tests[0].failsOnTemplateWith: is required: the part of the message this test fails with on the template (or passesOnTemplate: true for a guard that pins behaviour a fix must keep)",
            package.SingleError());
    }

    [Fact]
    public void GuardPassesOnTheTemplate()
    {
        using var package = new TestPackage();
        package.EditManifest("      failsOnTemplateWith: \"expected hello\"\n", "      passesOnTemplate: true\n");
        var test = package.Load().GetPackageOrThrow(package.Display).Manifest.Hidden.Tests[0];
        Assert.True(test.IsGuard);
    }

    [Fact]
    public void MissingSolutionFolder()
    {
        using var package = new TestPackage();
        Directory.Delete(Path.Combine(package.Root, "solution"), recursive: true);
        Assert.Equal("scenarios/tiny/solution/: is missing or empty; a package has template/, hidden/ and solution/ (see docs/scenarios.md)", package.SingleError());
    }

    [Fact]
    public void ServiceProjectThatDoesNotExist()
    {
        using var package = new TestPackage();
        package.EditManifest("project: src/Tiny/Tiny.csproj", "project: src/Tiny/Tinny.csproj");
        Assert.Equal($"{Yaml}:30:3: service.project: scenarios/tiny/template/src/Tiny/Tinny.csproj does not exist", package.SingleError());
    }

    [Fact]
    public void UnknownPlaceholderInTheServiceEnvironment()
    {
        using var package = new TestPackage();
        package.EditManifest("\"{database}\"", "\"{db}\"");
        Assert.Equal($"{Yaml}:30:3: service.environment.ConnectionStrings__Tiny: unknown placeholder {{db}}; known: {{port}}, {{database}}, and fakes (none declared)", package.SingleError());
    }

    [Fact]
    public void VariantMustNameADeclaredHiddenTest()
    {
        using var package = new TestPackage();
        package.EditManifest("failingTest: RemembersAfterRestart", "failingTest: RemembersAfterReboot");
        Assert.Equal($"{Yaml}:58:5: variants[0].failingTest: 'RemembersAfterReboot' is not a declared hidden test", package.SingleError());
    }

    [Fact]
    public void IdMustMatchTheFolder()
    {
        using var package = new TestPackage();
        package.EditManifest("id: tiny", "id: small");
        Assert.Equal($"{Yaml}:1:1: id: is 'small' but the folder is 'tiny'; they must match", package.SingleError());
    }

    [Fact]
    public void DurationMustBeHoursMinutesSeconds()
    {
        using var package = new TestPackage();
        package.EditManifest("suggestedTime: 00:30:00", "suggestedTime: 30m");
        Assert.Equal($"{Yaml}:6:16: suggestedTime: must be a duration as hh:mm:ss greater than zero, e.g. 00:05:00", package.SingleError());
    }

    [Fact]
    public void LinksAreRefusedNotFollowed()
    {
        using var package = new TestPackage();
        File.CreateSymbolicLink(Path.Combine(package.Root, "template/passwd"), "/etc/passwd");
        Assert.Equal("scenarios/tiny/template/passwd: is a link (to /etc/passwd); a package holds plain files only", package.SingleError());
    }

    [Fact]
    public void MissingManifest()
    {
        using var package = new TestPackage();
        File.Delete(Path.Combine(package.Root, "scenario.yaml"));
        Assert.Equal("scenarios/tiny/scenario.yaml: is missing: every package starts with its manifest (see docs/scenarios.md)", package.SingleError());
    }

    private const string Benchmarks = """
        benchmarks:
          rounds: 7
          endpoints:
            - name: hello
              title: GET /hello
              get: /hello?name=ada
        service:
        """;

    [Fact]
    public void BenchmarksAreReadWithTheirDefaults()
    {
        using var package = new TestPackage();
        package.EditManifest("service:\n", Benchmarks + "\n");
        var benchmarks = package.Load().Package!.Manifest.Benchmarks!;
        Assert.Equal((7, 10, 20), (benchmarks.Rounds, benchmarks.Warmup, benchmarks.Requests));
        var endpoint = Assert.Single(benchmarks.Endpoints);
        Assert.Equal(("hello", "/hello?name=ada", "latency_hello_p50", "latency_hello_p95"), (endpoint.Name, endpoint.Path, endpoint.MedianKey, endpoint.P95Key));
    }

    [Fact]
    public void TooFewRoundsCannotTellNoiseFromAChange()
    {
        using var package = new TestPackage();
        package.EditManifest("service:\n", Benchmarks.Replace("rounds: 7", "rounds: 2") + "\n");
        Assert.Equal($"{Yaml}:30:11: benchmarks.rounds: must be a whole number from 3 to 50", package.SingleError());
    }

    [Fact]
    public void BenchmarkEndpointNeedsAPathNotAUrl()
    {
        using var package = new TestPackage();
        package.EditManifest("service:\n", Benchmarks.Replace("get: /hello?name=ada", "get: http://example.com/hello") + "\n");
        Assert.Equal($"{Yaml}:34:12: benchmarks.endpoints[0].get: 'http://example.com/hello' is not a path and query starting with / (/api/orders?page=1)", package.SingleError());
    }

    [Fact]
    public void BenchmarkLatencyKeyMayNotClashWithAMetric()
    {
        using var package = new TestPackage();
        package.EditManifest("service:\n", Benchmarks + "\n");
        package.EditManifest("  - key: statements_per_request", "  - key: latency_hello_p95");
        Assert.Equal($"{Yaml}:24:5: metrics: metric key 'latency_hello_p95' is also the key of benchmark endpoint 'hello''s latency; rename one", package.SingleError());
    }

    [Fact]
    public void MetricsAreDeterministicUnlessTheySayOtherwise()
    {
        using var package = new TestPackage();
        Assert.True(package.Load().Package!.Manifest.PrimaryMetric.Deterministic);
        package.EditManifest("    primary: true\n", "    primary: true\n    deterministic: false\n");
        Assert.False(package.Load().Package!.Manifest.PrimaryMetric.Deterministic);
    }

    [Fact]
    public void LockedPathsMustBeInTheTemplate()
    {
        using var package = new TestPackage();
        package.EditManifest("service:\n", "locked:\n  - README.md\n  - src/\nservice:\n");
        Assert.Equal(["README.md", "src/"], package.Load().Package!.Manifest.Locked);

        package.EditManifest("  - src/\n", "  - src/Seed.cs\n");
        Assert.Equal($"{Yaml}:1:1: locked: 'src/Seed.cs' is not in template/ (a file, or a folder ending in /)", package.SingleError());
    }

    [Fact]
    public void APhaseRunsOneInstanceUnlessItAsksForMore()
    {
        using var package = new TestPackage();
        Assert.All(package.Load().Package!.Manifest.Phases, p => Assert.Equal(1, p.Instances));
        package.EditManifest("    restartService: true\n", "    restartService: true\n    instances: 2\n");
        Assert.Equal([1, 2], package.Load().Package!.Manifest.Phases.Select(p => p.Instances));

        package.EditManifest("    instances: 2\n", "    instances: 9\n");
        Assert.EndsWith("phases[1].instances: must be a whole number from 1 to 4", package.SingleError());
    }

    [Fact]
    public void PublicTestsCountUnlessTheScenarioMakesThemInformational()
    {
        using var package = new TestPackage();
        Assert.True(package.Load().Package!.Manifest.Service.PublicTestsMustPass);
        package.EditManifest("  health: /health\n", "  publicTestsMustPass: false\n  health: /health\n");
        Assert.False(package.Load().Package!.Manifest.Service.PublicTestsMustPass);
    }

    [Fact]
    public void BenchmarksHaveAFloorUnderWhichNoDifferenceIsMeasurable()
    {
        using var package = new TestPackage();
        package.EditManifest("service:\n", Benchmarks + "\n");
        Assert.Equal(0.25, package.Load().Package!.Manifest.Benchmarks!.MinimumDifferenceMs);

        package.EditManifest("  rounds: 7\n", "  rounds: 7\n  minimumDifferenceMs: 1.5\n");
        Assert.Equal(1.5, package.Load().Package!.Manifest.Benchmarks!.MinimumDifferenceMs);

        package.EditManifest("minimumDifferenceMs: 1.5", "minimumDifferenceMs: fast");
        Assert.EndsWith("benchmarks.minimumDifferenceMs: must be a number from 0 to 1000", package.SingleError());
    }
}
