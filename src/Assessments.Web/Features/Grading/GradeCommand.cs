using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Runner.Submissions;
using Assessments.Scenarios;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Sandbox;
using Assessments.Web.Features.Scenarios;

namespace Assessments.Web.Features.Grading;

/// <summary><c>assess grade</c>: grades a working folder or a commit against a scenario in the
/// Docker sandbox, with live stage progress and a summary.</summary>
public static class GradeCommand
{
    public const int NotPassed = 1;

    public static Command Grade()
    {
        var scenario = new Option<string?>("--scenario") { Description = "The scenario's id in the library, optionally pinned to a version: ID or ID@HASH (a prefix of the content hash). Without it, --dir's own xunit test projects are run (see below)." };
        var dir = new Option<DirectoryInfo?>("--dir") { Description = "A working folder to grade. Links in it are listed and never followed; .git, bin and obj are left out." };
        var repo = new Option<string?>("--repo") { Description = "An https:// repository to fetch --commit from (no file://, no private or loopback hosts except this installation's own git host)." };
        var commit = new Option<string?>("--commit") { Description = "The full commit id to grade from --repo." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the report (results.schema.json) to this file." };
        var library = new Option<DirectoryInfo?>("--library") { Description = "The scenario library folder (default: Scenarios__LibraryPath)." };
        var command = new Command("grade",
            "Grade a candidate's tree against a scenario in the Docker sandbox: build, public tests, the service checked phase by phase by the hidden tests, metrics. Exit code 0 when every hidden test passed, 1 otherwise.\n\n"
            + "Without --scenario, --dir PATH runs that repository's own xunit test projects (v2 and v3) in the sandbox and reports every test in the order it stands in its file, "
            + "a project that does not compile as an error with its diagnostics, and each test's captured output (capped). Exit code 0 when every test passed or was skipped. "
            + "TRUSTED CODE ONLY: the repository's packages are restored on this machine first, which runs its MSBuild files here, outside the sandbox. "
            + "Use it on your own service before you turn it into a scenario, never on a candidate's.")
        {
            scenario, dir, repo, commit, json, library,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(scenario) is not { } scenarioReference)
            {
                return await RepositoryTestsCommand.RunAsync(parse.GetValue(dir), parse.GetValue(repo), parse.GetValue(json), cancellationToken);
            }

            using var host = CommandHost.StartHost(builder => builder.AddScenarioLibrary().AddPublicUrl(requiredAtStart: false).AddSandbox());
            var package = LoadScenario(scenarioReference, parse.GetValue(library), host.Services.GetRequiredService<IOptions<ScenarioLibraryOptions>>().Value);
            var platform = host.Services.GetRequiredService<IOptions<PublicUrlOptions>>().Value;
            var tree = await ReadTreeAsync(parse.GetValue(dir), parse.GetValue(repo), parse.GetValue(commit), platform, cancellationToken);
            foreach (var link in tree.SkippedLinks)
            {
                Console.WriteLine($"left out (a link or submodule, never followed): {link}");
            }

            var runtime = host.Services.GetRequiredService<SandboxRuntime>();
            Runner.Hosting.IGradingHostFactory hosts;
            try
            {
                hosts = await runtime.HostsAsync(cancellationToken);
            }
            catch (SandboxUnavailableException e)
            {
                throw new CommandException(e.Message);
            }

            var subject = new SubjectRef(SubjectKind.Candidate, parse.GetValue(dir)?.FullName ?? parse.GetValue(repo)!, parse.GetValue(commit));
            Console.WriteLine($"Grading {subject.Tree} against {package.Manifest.Id} ({package.ContentHash[..12]}) in the Docker sandbox ...");
            var engine = host.Services.GetRequiredService<GradingEngine>();
            await using var gradingHost = await hosts.CreateAsync(package, candidateSubmission: true, cancellationToken);
            using var display = new StageDisplay(Console.Out, interactive: !Console.IsOutputRedirected);
            var report = await engine.RunAsync(new GradingRequest(package, tree.Files, subject), gradingHost, cancellationToken, display);
            display.Stop();

            if (parse.GetValue(json) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, report.ToJson(), cancellationToken);
            }

            PrintSummary(report);
            return report.Verdict == Verdict.Passed ? 0 : NotPassed;
        }));
        return command;
    }

    private static ScenarioPackage LoadScenario(string reference, DirectoryInfo? library, ScenarioLibraryOptions libraryOptions)
    {
        var (id, pinned) = reference.Split('@', 2) is [var i, var h] ? (i, h) : (reference, null);
        var (display, result) = ScenarioCommands.LoadOne(id, library, libraryOptions);
        if (result.Package is not { } package)
        {
            ScenarioCommands.PrintErrors(result.Errors);
            throw new CommandException($"scenario {display} is not valid (errors above)");
        }

        if (pinned is not null && !package.ContentHash.StartsWith(pinned, StringComparison.Ordinal))
        {
            throw new CommandException($"scenario {id} in the library is version {package.ContentHash[..12]}, not {pinned}");
        }

        return package;
    }

    private static async Task<CandidateTree> ReadTreeAsync(DirectoryInfo? dir, string? repo, string? commit, PublicUrlOptions platformUrl, CancellationToken cancellationToken)
    {
        if (dir is not null == (repo is not null))
        {
            throw new CommandException("give either --dir PATH or --repo URL --commit SHA");
        }

        try
        {
            if (dir is not null)
            {
                return CandidateTree.FromDirectory(dir.FullName, new TreeLimits());
            }

            if (commit is null)
            {
                throw new CommandException("--repo needs --commit: the full id of the commit to grade");
            }

            // This installation's own git host may be graded from; without Web:PublicBaseUrl, the default local address.
            var platform = platformUrl.PublicBaseUrl is { Length: > 0 } url ? new Uri(url) : new Uri("http://127.0.0.1:8080");
            var allowed = await RepositoryUrlPolicy.WithSystemResolver(platform).CheckAsync(repo!, cancellationToken);
            return await GitTrees.FetchAsync(allowed, commit, new TreeLimits(), Path.GetTempPath(), cancellationToken);
        }
        catch (Exception e) when (e is CandidateTreeException or RepositoryUrlException)
        {
            throw new CommandException(e.Message);
        }
    }

    internal static void PrintSummary(GradingReport report)
    {
        Console.WriteLine();
        Console.WriteLine($"VERDICT  {Kebab(report.Verdict)}{(report.Stage is null ? "" : $" at {report.Stage}")}");
        if (report.Message is { } message)
        {
            Console.WriteLine($"         {message.Split('\n')[0]}");
        }

        if (report.Tests.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"{"TEST",-64} {"STATUS",-8} MESSAGE");
            foreach (var test in report.Tests)
            {
                var name = $"{(test.Visibility == TestVisibility.Hidden ? "hidden" : "public")} {(test.Phase is null ? "" : test.Phase + ": ")}{test.Name}";
                Console.WriteLine($"{Cut(name, 64),-64} {Kebab(test.Status),-8} {Cut(test.Message?.Split('\n')[0] ?? "", 80)}");
            }
        }

        if (report.Metrics.Any(m => m.Candidate is not null || m.Baseline is not null))
        {
            Console.WriteLine();
            Console.Write(MetricTable.Format(report.Metrics));
        }

        if (report.Changes.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"{"CHANGED",-64} {"KIND",-9} {"+LINES",7} {"-LINES",7}");
            foreach (var change in report.Changes)
            {
                var note = change.Binary ? "  binary" : change.Generated ? "  generated" : "";
                Console.WriteLine($"{Cut(change.Path, 64),-64} {Kebab(change.Kind),-9} {change.LinesAdded,7} {change.LinesRemoved,7}{note}");
            }
        }

        if (report.Findings.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"{"FINDING",-28} {"SEVERITY",-9} {"WHERE",-40} WHY");
            foreach (var finding in report.Findings)
            {
                var where = finding.Line is { } line ? $"{finding.Path}:{line}" : finding.Path;
                Console.WriteLine($"{finding.Rule,-28} {Kebab(finding.Severity),-9} {Cut(where, 40),-40} {finding.Message}");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"STAGE",-32} {"SIDE",-10} {"STATUS",-10} {"SECONDS",8}");
        foreach (var stage in report.Stages)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Cut(stage.Name, 32),-32} {Kebab(stage.Side),-10} {Kebab(stage.Status),-10} {stage.DurationMs / 1000,8:0.0}"));
        }

        Console.WriteLine();
        Console.WriteLine($"image {report.Environment.ImageDigest ?? "-"}; candidate side: " +
            string.Join(", ", report.Environment.Isolation.Where(kv => kv.Key.StartsWith("candidate.", StringComparison.Ordinal)).Select(kv => $"{kv.Key["candidate.".Length..]}={kv.Value}")));
    }

    private static string Kebab<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>Stage progress: one line rewritten in place on a terminal, a line per finished stage otherwise.</summary>
    internal sealed class StageDisplay : IProgress<GradingProgress>, IDisposable
    {
        private readonly TextWriter _out;
        private readonly bool _interactive;
        private readonly Timer? _timer;
        private readonly Stopwatch _stage = new();
        private readonly Lock _gate = new();
        private string? _current;

        public StageDisplay(TextWriter output, bool interactive)
        {
            _out = output;
            _interactive = interactive;
            _timer = interactive ? new Timer(_ => Redraw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250)) : null;
        }

        public void Report(GradingProgress value)
        {
            lock (_gate)
            {
                if (value.Finished is { } done)
                {
                    _current = null;
                    var line = string.Create(CultureInfo.InvariantCulture, $"  {Kebab(done.Status),-9} {done.Name} [{Kebab(done.Side)}] {done.DurationMs / 1000:0.0} s");
                    _out.Write(_interactive ? $"\r\u001b[K{line}\n" : $"{line}\n");
                }
                else
                {
                    _current = $"{value.Stage} [{Kebab(value.Side)}]";
                    _stage.Restart();
                    Redraw();
                }
            }
        }

        public void Stop()
        {
            _timer?.Dispose();
            if (_interactive)
            {
                _out.Write("\r\u001b[K");
            }
        }

        public void Dispose() => Stop();

        private void Redraw()
        {
            lock (_gate)
            {
                if (_interactive && _current is not null)
                {
                    _out.Write(string.Create(CultureInfo.InvariantCulture, $"\r\u001b[K  running   {_current} {_stage.Elapsed.TotalSeconds:0} s"));
                }
            }
        }
    }
}
