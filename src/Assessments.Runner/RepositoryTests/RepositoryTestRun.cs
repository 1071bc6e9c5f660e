using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.RepositoryTests;

/// <summary>Limits of a repository's own test run.</summary>
/// <param name="Build">Wall clock per project build.</param>
/// <param name="Tests">Wall clock per project's test run.</param>
public sealed record RepositoryTestLimits(TimeSpan Build, TimeSpan Tests)
{
    /// <summary>Ten minutes each.</summary>
    public static RepositoryTestLimits Default { get; } = new(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
}

/// <summary>Runs a repository's own xunit test projects (v2 through VSTest, v3 as executables) on
/// the candidate's side of a host, without a scenario: every project is built, a compile error is
/// the project's entry with status error and the compiler's diagnostics, and every test is
/// reported in the order it stands in its file with its captured output, capped. For authors
/// checking a service before they make it a scenario; packages come from the host's feed, which
/// was restored beforehand on the host (trusted code only).</summary>
public sealed class RepositoryTestRun(IGradingHost host, RepositoryTestLimits limits)
{
    private const string RepositoryFolder = "repo";

    /// <summary>Runs <paramref name="projects"/> (<see cref="TestProjects.Find"/> of <paramref name="tree"/>) and reports them.</summary>
    /// <param name="progress">Told when each stage starts and ends.</param>
    public Task<GradingReport> RunAsync(IReadOnlyList<PackageFile> tree, IReadOnlyList<TestProject> projects, SubjectRef subject, CancellationToken cancellationToken, IProgress<GradingProgress>? progress = null) =>
        new Run(host, limits, progress, cancellationToken).ExecuteAsync(tree, projects, subject);

    private sealed class Run(IGradingHost host, RepositoryTestLimits limits, IProgress<GradingProgress>? progress, CancellationToken cancellationToken)
    {
        private readonly List<StageOutcome> _stages = [];
        private readonly List<TestOutcome> _tests = [];

        public async Task<GradingReport> ExecuteAsync(IReadOnlyList<PackageFile> tree, IReadOnlyList<TestProject> projects, SubjectRef subject)
        {
            var startedAt = DateTimeOffset.UtcNow;
            string? failedStage = null;
            string? failedBuild = null;
            Failure? stopped = null;
            if (projects.Count > 0)
            {
                await host.PutFilesAsync(Side.Candidate, RepositoryFolder, tree, cancellationToken);
            }

            foreach (var (project, index) in projects.Select((p, i) => (p, i)))
            {
                if (!await BuildAsync(project, index))
                {
                    failedStage ??= $"build:{project.Path}";
                    failedBuild ??= project.Path;
                    continue;
                }

                var (text, run) = project.Xunit == XunitGeneration.V3 ? await RunV3Async(project, index) : await RunV2Async(project, index);
                var (results, unreadable) = Parse(project, text);
                if (unreadable is not null)
                {
                    _tests.Add(ProjectError(project, unreadable));
                    failedStage ??= $"tests:{project.Path}";
                    continue;
                }

                // A run that ended without a word on its tests, or that a limit stopped, is that
                // project's error with its cause, never a project whose tests all passed.
                var noResults = results is null || (results.Count == 0 && run.ExitCode != 0);
                var limit = noResults || run.ExitCode == CommandResult.FileSizeSignalExit ? run.LimitFromOutput() : run.Limit;
                if (run.TimedOut || noResults || limit is not null)
                {
                    var cause = run.TimedOut ? $"ran past their limit of {limits.Tests}" : TestRunFailure.Describe(run, limit, host);
                    _tests.Add(ProjectError(project, $"The tests {cause}{(noResults && !run.TimedOut ? " and wrote no results" : "")}: {GradingDatabase.Tail(run.Output)}"));
                    failedStage ??= $"tests:{project.Path}";
                    stopped ??= run.TimedOut ? new Failure(ReportStatus.Fail, Verdict.TimedOut, $"tests:{project.Path}", $"The tests of {project.Path} ran past their limit of {limits.Tests}.")
                        : limit is { } hit ? new Failure(ReportStatus.Fail, TestRunFailure.VerdictOf(hit), $"tests:{project.Path}", $"The tests of {project.Path} {cause}.")
                        : null;
                }

                if (results is not { Count: > 0 })
                {
                    continue;
                }

                _tests.AddRange(TestSourceOrder.Scan(tree, project.Directory).Order(results, t => t.Name));
            }

            var failed = _tests.Count(t => t.Status is TestStatus.Fail or TestStatus.Error);
            var (status, verdict, stage, message) =
                projects.Count == 0 ? (ReportStatus.Error, Verdict.BuildFailed, (string?)null, (string?)"No xunit test project found: no .csproj references xunit.v3 or xunit (2).")
                : stopped is not null ? (stopped.Status, stopped.Verdict, (string?)stopped.Stage, stopped.Message)
                : failedBuild is not null ? (ReportStatus.Fail, Verdict.BuildFailed, failedStage, $"{failedBuild} did not build.")
                : failed > 0 ? (ReportStatus.Fail, Verdict.TestsFailed, failedStage ?? "tests", $"{failed} of {_tests.Count} tests failed.")
                : (ReportStatus.Pass, Verdict.Passed, null, null);
            return new GradingReport
            {
                Status = status,
                Verdict = verdict,
                Stage = stage,
                Message = message,
                Scenario = null,
                Subject = subject,
                Tests = _tests,
                Metrics = [],
                Findings = [],
                Stages = _stages,
                Environment = new RunEnvironment(host.Name, host.ImageDigest, host.Isolation),
                StartedAt = startedAt,
                FinishedAt = DateTimeOffset.UtcNow,
            };
        }

        /// <summary>Builds a project; a compile error becomes its entry, with the diagnostics.</summary>
        private async Task<bool> BuildAsync(TestProject project, int index)
        {
            string[] restoreConfig = host.Packages is { } feed ? [$"-p:RestoreConfigFile={feed.ConfigFile}"] : [];
            // v3 projects run from a folder of their own; v2 ones build where `dotnet test` looks.
            string[] output = project.Xunit == XunitGeneration.V3 ? ["-o", $"../out/{index}"] : [];
            var build = await Command($"build:{project.Path}", "dotnet",
                ["build", project.Path, "-c", "Release", "--nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false", .. output, .. restoreConfig],
                limits.Build);
            if (!build.Succeeded)
            {
                // Paths as the author knows them: relative to the repository, not to the sandbox.
                var diagnostics = GradingEngine.BuildErrors(build.Output).Replace(host.PathOf(Side.Candidate, RepositoryFolder) + "/", "", StringComparison.Ordinal);
                _tests.Add(ProjectError(project, build.TimedOut ? $"The build ran past its limit of {limits.Build}." : diagnostics));
            }

            return build.Succeeded;
        }

        /// <summary>Runs a v3 project's executable; the results file's text, null when it wrote none in time.</summary>
        private async Task<(string? Results, CommandResult Run)> RunV3Async(TestProject project, int index)
        {
            // The in-process runner named its XML option -xml up to 3.x and -result-xml from 4.0;
            // the build's dependency file says which runner the project got.
            var deps = await host.ReadFileAsync(Side.Candidate, $"out/{index}/{project.AssemblyName}.deps.json", cancellationToken);
            var xmlOption = XunitV3Runner.MajorVersion(deps) is < 4 ? "-xml" : "-result-xml";
            // A failing test exits non-zero; the results file says what happened.
            var run = await Command($"tests:{project.Path}", "dotnet",
                [$"../out/{index}/{project.AssemblyName}.dll", "-noLogo", "-noColor", xmlOption, host.PathOf(Side.Candidate, $"out/results-{index}.xml")],
                limits.Tests, anyExitIsOk: true);
            var xml = await host.ReadFileAsync(Side.Candidate, $"out/results-{index}.xml", cancellationToken);
            return (run.TimedOut ? null : xml, run);
        }

        /// <summary>Runs a v2 project through VSTest; the TRX file's text, null when it wrote none in time.</summary>
        private async Task<(string? Results, CommandResult Run)> RunV2Async(TestProject project, int index)
        {
            var run = await Command($"tests:{project.Path}", "dotnet",
                ["test", project.Path, "-c", "Release", "--no-build", "--nologo", "--results-directory", host.PathOf(Side.Candidate, "out"), "--logger", $"trx;LogFileName=results-{index}.trx"],
                limits.Tests, anyExitIsOk: true);
            var trx = await host.ReadFileAsync(Side.Candidate, $"out/results-{index}.trx", cancellationToken);
            return (run.TimedOut ? null : trx, run);
        }

        /// <summary>The results, or why the file could not be read: the repository's test run wrote
        /// it, so a broken one is that project's error, not the run's.</summary>
        private static (IReadOnlyList<TestOutcome>? Results, string? Unreadable) Parse(TestProject project, string? text)
        {
            if (text is null)
            {
                return (null, null);
            }

            try
            {
                return (project.Xunit == XunitGeneration.V3 ? XunitResultParser.Parse(text, TestVisibility.Public, null, methodNames: false) : TrxResultParser.Parse(text), null);
            }
            catch (Exception e) when (e is System.Xml.XmlException or FormatException or InvalidOperationException)
            {
                return (null, $"The test results could not be read: {e.Message}");
            }
        }

        private static TestOutcome ProjectError(TestProject project, string message) => new()
        {
            Name = project.Path,
            Visibility = TestVisibility.Public,
            Status = TestStatus.Error,
            Message = message,
        };

        private async Task<CommandResult> Command(string stage, string program, IReadOnlyList<string> args, TimeSpan timeout, bool anyExitIsOk = false)
        {
            progress?.Report(new GradingProgress(stage, Side.Candidate, null));
            var result = await host.RunAsync(Side.Candidate, new CommandSpec(program, args, RepositoryFolder, new Dictionary<string, string>(), timeout), cancellationToken);
            var outcome = result.ToStage(stage, Side.Candidate, anyExitIsOk);
            _stages.Add(outcome);
            progress?.Report(new GradingProgress(stage, Side.Candidate, outcome));
            return result;
        }
    }
}
