using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.EndToEnd.Tests;

/// <summary><c>assess grade</c> as an author or operator runs it: a working folder graded in the
/// sandbox with a summary and a report file; addresses outside the allow-list refused in one line.</summary>
public sealed class GradeCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task AWorkingFolderIsGradedInTheSandboxWithASummaryAndAReport()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("grade-command-");
        var library = Path.Combine(work.FullName, "library");
        await ScenarioScaffold.WriteAsync("greeting", Path.Combine(library, "greeting"), ct);
        var package = ScenarioPackage.Load(Path.Combine(library, "greeting")).GetPackageOrThrow("greeting");
        var candidate = Path.Combine(work.FullName, "candidate");
        foreach (var file in Runner.Execution.GradingRequest.Overlay(package.TemplateFiles, package.SolutionFiles))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(candidate, file.Path))!);
            await File.WriteAllBytesAsync(Path.Combine(candidate, file.Path), file.Content, ct);
        }

        File.CreateSymbolicLink(Path.Combine(candidate, "shadow"), "/etc/shadow");
        // Compiled, never called: the reviewer is still pointed at it.
        await File.WriteAllTextAsync(Path.Combine(candidate, "src/Greeting.Api/Shutdown.cs"), """
            namespace Greeting.Api;

            public static class Shutdown
            {
                public static void Now() => System.Environment.Exit(3);
            }
            """, ct);
        // A locked file (the scaffold locks its public tests): the reviewer is told, the grading goes on.
        await File.AppendAllTextAsync(Path.Combine(candidate, "tests/Greeting.Tests/GreeterTests.cs"), "// relaxed\n", ct);
        var report = Path.Combine(work.FullName, "report.json");

        var (exitCode, stdout, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["Scenarios__LibraryPath"] = library,
                ["Sandbox__CacheFolder"] = Path.Combine(Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath(), "sandbox-cache"),
            },
            Timeout,
            "grade", "--scenario", $"greeting@{package.ContentHash[..12]}", "--dir", candidate, "--json", report);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("left out (a link or submodule, never followed): shadow", stdout);
        Assert.Contains("VERDICT  passed", stdout);
        Assert.Matches(@"hidden main: GreetingTakesOneStatement +pass", stdout);
        // The template's service ran beside it: its count, and the greeting timed on both sides.
        Assert.Matches(@"statements_per_request \* +10 +1 +1/1 +0\.1 +better", stdout);
        Assert.Matches(@"latency_greeting_p50 +[0-9.]+ ±[0-9.]+ +[0-9.]+ ±[0-9.]+ +5/5 ", stdout);
        Assert.Contains("candidate side: ", stdout);
        // Not a terminal: a plain line per finished stage.
        Assert.Matches(@"  ok +build \[candidate\] [0-9.]+ s", stdout);
        Assert.Matches(@"src/Greeting.Api/Program.cs +modified +[1-9]", stdout);
        Assert.Matches(@"src/Greeting.Api/Shutdown.cs +added +6 +0", stdout);
        Assert.Matches(@"process-exit +concern +src/Greeting.Api/Shutdown.cs:5 +`Environment.Exit` ends the process", stdout);
        var written = GradingReport.FromJson(await File.ReadAllTextAsync(report, ct));
        Assert.Equal(Verdict.Passed, written.Verdict);
        Assert.Equal("docker", written.Environment.Host);
        Assert.Equal(
            [("process-exit", "src/Greeting.Api/Shutdown.cs", (int?)5), ("locked-path", "tests/Greeting.Tests/GreeterTests.cs", null)],
            written.Findings.Select(f => (f.Rule, f.Path, f.Line)).OrderByDescending(f => f.Rule));
        work.Delete(recursive: true);
    }

    [Theory]
    [InlineData("file:///srv/repos/orders.git", "uses file://")]
    [InlineData("https://127.0.0.1/acme/orders.git", "127.0.0.1, which is not a public address")]
    [InlineData("https://10.0.0.8/acme/orders.git", "10.0.0.8, which is not a public address")]
    public async Task RepositoriesOutsideTheAllowListAreRefusedBeforeAnyFetch(string url, string reason)
    {
        var library = Directory.CreateTempSubdirectory("grade-refused-");
        await ScenarioScaffold.WriteAsync("greeting", Path.Combine(library.FullName, "greeting"), TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string> { ["Scenarios__LibraryPath"] = library.FullName },
            Timeout,
            "grade", "--scenario", "greeting", "--repo", url, "--commit", new string('a', 40));
        library.Delete(recursive: true);

        Assert.Equal(3, exitCode);
        Assert.Contains(reason, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
