using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>The candidate's public tests decide the verdict when they fail or are stopped, on the
/// reference solution of the tiny scenario (so every hidden test passes and the public tests
/// alone are under test), graded in the real sandbox with short limits.</summary>
[Collection(SandboxCollection.Name)]
[TestMethodOrderer(typeof(ByNameOrderer))]
public sealed class PublicTestVerdictTests(DockerSandbox sandbox, PublicTestsScenario scenario) : IClassFixture<PublicTestsScenario>
{
    private const string TestsFolder = "tests/Greeting.Tests";

    [Fact]
    public async Task Case01_FloodInThePublicTestsIsStoppedAtOnce()
    {
        var report = await GradeAsync(scenario.Counting, ModuleInitializer("""
            var chunk = new string('x', 1 << 16);
            while (true) { System.Console.Out.Write(chunk); }
            """));
        // Stopped at the cap: had it run to the tests' one-minute wall clock, the verdict would be
        // timed-out and the side's container gone, with no hidden test run.
        AssertVerdict(report, Verdict.OutputLimit, "public-tests");
        Assert.StartsWith("The candidate's public tests printed past the output limit", report.Message);
        AssertHiddenTestsPassed(report);
    }

    [Fact]
    public async Task Case02_FileSizeKillInThePublicTestsIsAResourceLimit()
    {
        var report = await GradeAsync(scenario.Counting, Test("WritesAHugeFile", """
            using var file = System.IO.File.Create("huge.bin");
            var block = new byte[1 << 20];
            for (var i = 0; i < 200; i++) { file.Write(block); }
            """));
        AssertVerdict(report, Verdict.ResourceLimit, "public-tests");
        Assert.Equal("The candidate's public tests wrote a file past the file-size limit (100 MB per file); the kernel killed it (SIGXFSZ).", report.Message);
        var entry = Assert.Single(report.Tests, t => t.Visibility == TestVisibility.Public);
        Assert.Equal(TestStatus.Error, entry.Status);
        Assert.StartsWith("The public tests were killed for writing a file past the file-size limit", entry.Message);
    }

    [Fact]
    public async Task Case03_AFailingPublicTestFailsTheGrading()
    {
        var report = await GradeAsync(scenario.Counting, Test("ShoutsTheGreeting", """Assert.Equal("HELLO, ADA", Greeting.Api.Greeter.Text("Ada"));"""));
        AssertVerdict(report, Verdict.TestsFailed, "public-tests");
        Assert.Equal("1 of 3 public tests failed: Greeting.Tests.Extra.ShoutsTheGreeting.", report.Message);
        AssertHiddenTestsPassed(report);
    }

    [Fact]
    public async Task Case04_PublicTestsThatWriteNoResultsAreAnErrorOfTheirStage()
    {
        var report = await GradeAsync(scenario.Counting, ModuleInitializer("System.Environment.Exit(3);"));
        AssertVerdict(report, Verdict.TestsFailed, "public-tests");
        Assert.Equal("The public tests exited with code 3 and wrote no results.", report.Message);
        var entry = Assert.Single(report.Tests, t => t.Visibility == TestVisibility.Public);
        Assert.Equal(TestStatus.Error, entry.Status);
        AssertHiddenTestsPassed(report);
    }

    [Fact]
    public async Task Case05_InformationalPublicTestsAreListedButDoNotDecide()
    {
        var report = await GradeAsync(scenario.Informational, Test("ShoutsTheGreeting", """Assert.Equal("HELLO, ADA", Greeting.Api.Greeter.Text("Ada"));"""));
        AssertVerdict(report, Verdict.Passed, null);
        Assert.Equal(TestStatus.Fail, report.Tests.Single(t => t.Name == "Greeting.Tests.Extra.ShoutsTheGreeting").Status);
    }

    /// <summary>The solution with one more file, graded without the baseline beside it: the verdict
    /// the public tests give is read, not the comparison.</summary>
    private Task<GradingReport> GradeAsync(ScenarioPackage package, PackageFile extra) =>
        SandboxGradings.GradeAndCheckNothingIsLeftAsync(sandbox, HostileScenario.HostileHosts(sandbox), scenario.Engine, package,
            GradingRequest.Overlay(GradingRequest.Overlay(package.TemplateFiles, package.SolutionFiles), [extra]), compareWithBaseline: false);

    /// <summary>A test file beside the public tests with one more test.</summary>
    private static PackageFile Test(string name, string body) => File($"{TestsFolder}/Extra.cs", $$"""
        using Xunit;

        namespace Greeting.Tests;

        public sealed class Extra
        {
            [Fact]
            public void {{name}}()
            {
                {{body}}
            }
        }
        """);

    /// <summary>Code that runs when the public tests' assembly loads, before any test.</summary>
    private static PackageFile ModuleInitializer(string body) => File($"{TestsFolder}/Extra.cs", $$"""
        namespace Greeting.Tests;

        internal static class Extra
        {
            [System.Runtime.CompilerServices.ModuleInitializer]
            internal static void Run()
            {
                {{body}}
            }
        }
        """);

    private static PackageFile File(string path, string text) => new(path, false, Encoding.UTF8.GetBytes(text));

    private static void AssertVerdict(GradingReport report, Verdict verdict, string? stage) =>
        Assert.True(report.Verdict == verdict && report.Stage == stage, $"expected {verdict} at {stage}, got {report.Verdict} at {report.Stage}: {report.Message}");

    /// <summary>The hidden tests still ran after the public tests failed, and passed on the solution.</summary>
    private static void AssertHiddenTestsPassed(GradingReport report) =>
        Assert.Equal([("GreetingTakesOneStatement", TestStatus.Pass), ("GreetingCountSurvivesRestart", TestStatus.Pass)],
            report.Tests.Where(t => t.Visibility == TestVisibility.Hidden).Select(t => (t.Name, t.Status)));
}

/// <summary>The scaffolded scenario with its public tests and short limits, twice: counting its
/// public tests (the default) and with them informational. Their offline feeds are restored here,
/// so the gradings' disk check sees the gradings alone.</summary>
public sealed class PublicTestsScenario(DockerSandbox sandbox) : IAsyncLifetime
{
    private DirectoryInfo? _folder;

    public ScenarioPackage Counting { get; private set; } = null!;

    public ScenarioPackage Informational { get; private set; } = null!;

    public GradingEngine Engine { get; } = new(new GradingEngineOptions(Path.Combine(DockerSandbox.CacheRoot, "grader-builds")));

    public async ValueTask InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("public-tests-");
        Counting = await HostileScenario.WriteAsync(_folder.FullName, "public-tests", text => text);
        Informational = await HostileScenario.WriteAsync(_folder.FullName, "public-tests-informational", text => text.Replace(
            "  publicTests: tests/Greeting.Tests/Greeting.Tests.csproj\n",
            "  publicTests: tests/Greeting.Tests/Greeting.Tests.csproj\n  publicTestsMustPass: false\n", StringComparison.Ordinal));
        Assert.True(Counting.Manifest.Service.PublicTestsMustPass);
        Assert.False(Informational.Manifest.Service.PublicTestsMustPass);
        var feeds = new Runner.Sandbox.OfflineFeeds(sandbox.Docker, sandbox.Image, DockerSandbox.CacheRoot);
        await feeds.EnsureAsync(Counting, TestContext.Current.CancellationToken);
        await feeds.EnsureAsync(Informational, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _folder?.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
