using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Assessments.Runner.Benchmarks;
using Assessments.Runner.Findings;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Scenarios.Manifest;

namespace Assessments.Runner.Execution;

/// <summary>Runs a scenario version's grading plan on a host and writes the report. The plan:
/// PostgreSQL and the fakes start on the grader side before any candidate code runs; the hidden
/// tests are built; the candidate's service is published and its public tests run; the service
/// starts with the contract's settings and is checked phase by phase by the hidden tests
/// (restarted where a phase says); then the template's service runs beside it as the baseline,
/// for the counts the hidden tests take of it and the endpoints timed on both
/// (GradingEngine.Baseline.cs).</summary>
public sealed partial class GradingEngine(GradingEngineOptions options)
{
    private const string ServiceFolder = "repo";
    private const string PublishFolder = "out/service";
    private const string HiddenBinFolder = "out/hidden";
    private const string FakesBinFolder = "out/fakes";

    /// <summary>Grades <paramref name="request"/> on <paramref name="host"/>.</summary>
    /// <param name="progress">Told when each stage starts and ends, for a live display.</param>
    public async Task<GradingReport> RunAsync(GradingRequest request, IGradingHost host, CancellationToken cancellationToken, IProgress<GradingProgress>? progress = null)
    {
        var run = new Run(request, host, options, progress, cancellationToken);
        return await run.ExecuteAsync();
    }

    private sealed partial class Run(GradingRequest request, IGradingHost host, GradingEngineOptions options, IProgress<GradingProgress>? progress, CancellationToken cancellationToken)
    {
        private readonly ScenarioManifest _manifest = request.Package.Manifest;
        private readonly List<StageOutcome> _stages = [];
        private readonly List<TestOutcome> _tests = [];
        private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
        private readonly List<IBackgroundProcess> _processes = [];
        private GradingDatabase? _database;
        private string _lastServiceOutput = "";
        private bool _lastServiceExited;
        private string? _hiddenDll;
        private IReadOnlyList<FileChangeOutcome> _changes = [];
        private IReadOnlyList<FindingOutcome> _findings = [];

        public async Task<GradingReport> ExecuteAsync()
        {
            // The change and its findings come from reading the tree, before anything runs: a
            // grading that stops at the build still shows the reviewer what was changed.
            (_changes, _findings) = await Task.Run(() =>
            {
                var changes = TreeComparison.Compare(request.Package.TemplateFiles.ToList(), request.Tree);
                return (changes.Select(c => c.ToOutcome()).ToList(), ChangeFindings.Find(changes, request.Tree, _manifest.Locked));
            }, cancellationToken);
            try
            {
                return await PlanAsync();
            }
            catch (GradingInfrastructureException e)
            {
                return Report(ReportStatus.Error, Verdict.SandboxError, e.Stage, e.Message);
            }
            finally
            {
                foreach (var process in _processes)
                {
                    await process.DisposeAsync();
                }

                if (_database is not null)
                {
                    await _database.StopAsync(CancellationToken.None);
                }
            }
        }

        private async Task<GradingReport> PlanAsync()
        {
            // Grader side first: every grader listener is up before candidate code runs, build included.
            string[] databases = request.CompareWithBaseline ? ["svc_candidate", "svc_candidate_tests", BaselineDatabase] : ["svc_candidate", "svc_candidate_tests"];
            _database = await Stage("start-postgres", Side.Grader, () => GradingDatabase.StartAsync(host, host.PostgresBin, databases, cancellationToken));
            var serviceDatabase = _database.Service("svc_candidate");
            var testsDatabase = _database.Service("svc_candidate_tests");

            await host.PutFilesAsync(Side.Grader, "package", request.Package.Files.Where(f => f.Path.StartsWith("hidden/", StringComparison.Ordinal)), cancellationToken);
            var fakesUrl = await StartFakesAsync();
            _hiddenDll = await BuildGraderProjectAsync("build-hidden", _manifest.Hidden.Project, HiddenBinFolder);

            // Candidate side.
            await host.PutFilesAsync(Side.Candidate, ServiceFolder, request.Tree, cancellationToken);
            if (await RestoreAsync() is { } refused)
            {
                return refused;
            }

            var build = await Command(Side.Candidate, "build", "dotnet",
                ["publish", _manifest.Service.Project, "-c", "Release", "--no-restore", "-o", $"../{PublishFolder}", "-nodeReuse:false", "-p:UseSharedCompilation=false", "--nologo"],
                ServiceFolder, _manifest.Limits.Build);
            if (!build.Succeeded)
            {
                SkipHiddenTests("the service did not build");
                return LimitReport(build, "build", _manifest.Limits.Build)
                    ?? Report(ReportStatus.Fail, Verdict.BuildFailed, "build", BuildErrors(build.Output));
            }

            if (await RunPublicTestsAsync(testsDatabase, fakesUrl) is { } stopped)
            {
                SkipHiddenTests("the public tests ran past their limit");
                return stopped;
            }

            // The service, configured by the contract.
            // The service gets exactly the contract's environment; the port is also where the grader looks.
            var port = host.AllocatePort();
            var environment = Placeholders.Fill(_manifest.Service.Environment, port, serviceDatabase.ServiceConnectionString, fakesUrl);
            var serviceUrl = $"http://127.0.0.1:{port}";
            var serviceDll = $"{PublishFolder}/{Path.GetFileNameWithoutExtension(_manifest.Service.Project)}.dll";
            var service = await StartServiceAsync(Side.Candidate, "start", serviceDll, environment, serviceUrl);
            if (service is null)
            {
                SkipHiddenTests("the service did not start");
                return await ServiceLimitReportAsync("start") ?? NotStartedReport("start");
            }

            var metricsFile = "metrics.jsonl";
            foreach (var phase in _manifest.Phases)
            {
                if (phase.RestartService)
                {
                    // A kill, as a crash or a deploy would: whatever was only in memory is gone.
                    await service.KillAsync(cancellationToken);
                    service = await StartServiceAsync(Side.Candidate, "start", serviceDll, environment, serviceUrl);
                    if (service is null)
                    {
                        SkipHiddenTests("the service did not start again after the restart", fromPhase: phase.Name);
                        return await ServiceLimitReportAsync($"restart:{phase.Name}") ?? NotStartedReport($"restart:{phase.Name}");
                    }
                }

                var result = await HiddenTestsAsync($"hidden-tests:{phase.Name}", phase.Name, $"results-{phase.Name}.xml", serviceUrl, serviceDatabase, fakesUrl, metricsFile);
                if (result.TimedOut)
                {
                    // A service that stops answering holds the hidden tests up until their limit.
                    SkipHiddenTests($"the hidden tests of phase {phase.Name} ran past their limit", fromPhase: phase.Name);
                    return await ServiceLimitReportAsync($"hidden-tests:{phase.Name}")
                        ?? Report(ReportStatus.Fail, Verdict.TimedOut, $"hidden-tests:{phase.Name}", $"The hidden tests of phase {phase.Name} ran past their limit of {_manifest.Limits.Tests}.");
                }

                var xml = await host.ReadFileAsync(Side.Grader, $"results-{phase.Name}.xml", cancellationToken);
                if (xml is null)
                {
                    throw new GradingInfrastructureException($"hidden-tests:{phase.Name}", $"The hidden tests wrote no results ({(result.TimedOut ? "timed out" : $"exit {result.ExitCode}")}): {GradingDatabase.Tail(result.Output)}");
                }

                _tests.AddRange(XunitResultParser.Parse(xml, TestVisibility.Hidden, phase.Name, methodNames: true));
            }

            var counts = MetricSamples.Parse(await host.ReadFileAsync(Side.Grader, metricsFile, cancellationToken));
            var metrics = request.CompareWithBaseline
                ? await CompareWithBaselineAsync(counts, service, serviceUrl, fakesUrl)
                : Metrics(counts, "This grading ran without the baseline.");
            var hiddenResults = _tests.Where(t => t.Visibility == TestVisibility.Hidden).ToList();
            var failed = hiddenResults.Where(t => t.Status is not (TestStatus.Pass or TestStatus.Skipped)).ToList();
            var missing = _manifest.Hidden.Tests.Where(d => !hiddenResults.Any(t => SameTest(t.Name, d.Name))).Select(d => d.Name).ToList();
            if (missing.Count > 0)
            {
                throw new GradingInfrastructureException("hidden-tests", $"Declared hidden tests did not run: {string.Join(", ", missing)}.");
            }

            if (failed.Count == 0)
            {
                return Report(ReportStatus.Pass, Verdict.Passed, null, null, metrics);
            }

            var stage = $"hidden-tests:{failed[0].Phase}";
            return await ServiceLimitReportAsync(stage, metrics)
                ?? Report(ReportStatus.Fail, Verdict.TestsFailed, stage, $"{failed.Count} of {hiddenResults.Count} hidden tests failed.", metrics);
        }

        private async Task<string?> StartFakesAsync()
        {
            if (_manifest.Fakes is not { } fakes)
            {
                return null;
            }

            var dll = await BuildGraderProjectAsync("build-fakes", fakes.Project, FakesBinFolder);
            var port = host.AllocatePort();
            var url = $"http://127.0.0.1:{port}";
            var process = await host.StartAsync(Side.Grader, new CommandSpec("dotnet", [dll, "--urls", url], null, new Dictionary<string, string>(), Timeout.InfiniteTimeSpan), cancellationToken);
            _processes.Add(process);
            if (!await host.WaitForHttpAsync($"{url}/health", TimeSpan.FromMinutes(1), process, cancellationToken))
            {
                throw new GradingInfrastructureException("start-fakes", $"The fakes did not answer {url}/health: {GradingDatabase.Tail(process.Output)}");
            }

            return url;
        }

        private async Task<string> BuildGraderProjectAsync(string stage, string project, string output)
        {
            // The grader's projects belong to the immutable version: build them once per content hash.
            await CachedBuildAsync(Side.Grader, stage, VersionCacheKey(project.Replace('/', '_')), output, async () =>
            {
                var result = await Command(Side.Grader, stage, "dotnet",
                    ["build", $"package/{project}", "-c", "Release", "-o", output, "-nodeReuse:false", "-p:UseSharedCompilation=false", "--nologo", .. RestoreConfig("-p:RestoreConfigFile=")],
                    null, _manifest.Limits.Build);
                return result.Succeeded
                    ? null
                    : throw new GradingInfrastructureException(stage, $"The grader's project {project} did not build: {BuildErrors(result.Output)}");
            });
            return $"{output}/{Path.GetFileNameWithoutExtension(project)}.dll";
        }

        /// <summary>Where something of this scenario version built or measured on this host's
        /// image lives in the cache, relative to its root.</summary>
        private string VersionCacheKey(string name) => Path.Combine(request.Package.ContentHash, host.BuildCacheScope, name);

        /// <summary>Puts a build's output into <paramref name="output"/> of a side: from the cache
        /// under <paramref name="cacheKey"/> when an earlier grading left it there, else by running
        /// <paramref name="build"/> (null when it built; else why not) and keeping what it wrote.</summary>
        private async Task<string?> CachedBuildAsync(Side side, string stage, string cacheKey, string output, Func<Task<string?>> build)
        {
            var cache = options.GraderBuildCache is { } root ? Path.Combine(root, cacheKey) : null;
            if (cache is not null && File.Exists(Path.Combine(cache, ".complete")))
            {
                var started = Stopwatch.StartNew();
                var (cached, _) = Scenarios.PackageFiles.Read(cache, cache);
                await host.PutFilesAsync(side, output, cached.Where(f => f.Path != ".complete"), cancellationToken);
                Record(new StageOutcome($"{stage}:cached", side, StageStatus.Ok, started.Elapsed.TotalMilliseconds, null));
                return null;
            }

            if (await build() is { } failure)
            {
                return failure;
            }

            if (cache is not null)
            {
                await StoreInCacheAsync(cache, await host.ReadFilesAsync(side, output, cancellationToken));
            }

            return null;
        }

        /// <summary>Writes a build into the cache beside its final place and moves it there, so a
        /// reader never sees half a build; a concurrent grading that got there first wins.</summary>
        private async Task StoreInCacheAsync(string cache, IReadOnlyList<Scenarios.PackageFile> files)
        {
            var staging = $"{cache}.{Guid.NewGuid():N}.tmp";
            foreach (var file in files)
            {
                var path = Path.Combine(staging, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, file.Content, cancellationToken);
            }

            await File.WriteAllTextAsync(Path.Combine(staging, ".complete"), request.Package.ContentHash, cancellationToken);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
                Directory.Move(staging, cache);
            }
            catch (IOException)
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        /// <summary>Runs the candidate's own tests; a report only when they ran past their limit
        /// (the side's container is gone then, so the grading cannot go on).</summary>
        private async Task<GradingReport?> RunPublicTestsAsync(ServiceDatabase database, string? fakesUrl)
        {
            if (_manifest.Service.PublicTests is not { } project)
            {
                return null;
            }

            // Informational: the candidate's own tests, with the contract's settings on a scratch database.
            var environment = Placeholders.Fill(_manifest.Service.Environment, host.AllocatePort(), database.ServiceConnectionString, fakesUrl);
            var build = await Command(Side.Candidate, "build-public-tests", "dotnet",
                ["build", project, "-c", "Release", "--no-restore", "-o", "../out/public-tests", "-nodeReuse:false", "-p:UseSharedCompilation=false", "--nologo"],
                ServiceFolder, _manifest.Limits.Build);
            if (build.TimedOut)
            {
                return LimitReport(build, "build-public-tests", _manifest.Limits.Build);
            }

            if (!build.Succeeded)
            {
                _tests.Add(new TestOutcome { Name = project, Visibility = TestVisibility.Public, Status = TestStatus.Error, Message = BuildErrors(build.Output) });
                return null;
            }

            var run = await Command(Side.Candidate, "public-tests", "dotnet",
                [$"out/public-tests/{Path.GetFileNameWithoutExtension(project)}.dll", "-noLogo", "-noColor", "-result-xml", "public-tests.xml"],
                null, _manifest.Limits.Tests, environment);
            if (run.TimedOut)
            {
                return LimitReport(run, "public-tests", _manifest.Limits.Tests);
            }

            var xml = await host.ReadFileAsync(Side.Candidate, "public-tests.xml", cancellationToken);
            if (xml is not null)
            {
                try
                {
                    _tests.AddRange(XunitResultParser.Parse(xml, TestVisibility.Public, null, methodNames: false));
                }
                catch (Exception e) when (e is System.Xml.XmlException or FormatException or InvalidOperationException)
                {
                    // The candidate's side wrote it: a broken file is their tests' problem, not the grading's.
                    _tests.Add(new TestOutcome { Name = project, Visibility = TestVisibility.Public, Status = TestStatus.Error, Message = $"The public tests' results file could not be read: {e.Message}" });
                }
            }

            return null;
        }

        /// <summary>Restores the candidate's projects from the host's package source and judges
        /// every package the restore resolved or missed against the scenario's allowed set. A
        /// report when the restore failed or used a package outside the set.</summary>
        private async Task<GradingReport?> RestoreAsync()
        {
            var projects = new[] { _manifest.Service.Project, _manifest.Service.PublicTests }.OfType<string>();
            foreach (var project in projects)
            {
                var result = await Command(Side.Candidate, "restore", "dotnet",
                    ["restore", project, "--nologo", "-nodeReuse:false", .. RestoreConfig("--configfile", separate: true)],
                    ServiceFolder, _manifest.Limits.Build);
                if (LimitReport(result, "restore", _manifest.Limits.Build) is { } limited)
                {
                    SkipHiddenTests("the service's packages did not restore");
                    return limited;
                }

                if (host.Packages is { } source)
                {
                    var assetsPath = $"{ServiceFolder}/{Path.GetDirectoryName(project)?.Replace('\\', '/')}/obj/project.assets.json";
                    var assets = await host.ReadFileAsync(Side.Candidate, assetsPath, cancellationToken);
                    var refusal = assets is not null ? AssetsFile.Judge(assets, source.Allowed)
                        : !result.Succeeded ? null // a project that does not load: build-failed below, with its errors
                        : $"The restore of {project} wrote no obj/project.assets.json; packages are judged from it, so the intermediate folder must stay at obj/.";
                    if (refusal is not null)
                    {
                        SkipHiddenTests("the service uses a package outside the allowed set");
                        return Report(ReportStatus.Fail, Verdict.NotAllowed, "restore", refusal);
                    }
                }

                if (!result.Succeeded)
                {
                    SkipHiddenTests("the service's packages did not restore");
                    return Report(ReportStatus.Fail, Verdict.BuildFailed, "restore", BuildErrors(result.Output));
                }
            }

            return null;
        }

        private string[] RestoreConfig(string option, bool separate = false) =>
            host.Packages is not { } source ? []
            : separate ? [option, source.ConfigFile]
            : [option + source.ConfigFile];

        /// <summary>The verdict for a command stopped by a limit: the wall clock, memory or output.</summary>
        private GradingReport? LimitReport(CommandResult result, string stage, TimeSpan limit) =>
            result.TimedOut ? Report(ReportStatus.Fail, Verdict.TimedOut, stage, $"The {stage} stage ran past its limit of {limit}; the side was killed.")
            : result.Limit == LimitHit.OutOfMemory ? Report(ReportStatus.Fail, Verdict.OutOfMemory, stage, $"The {stage} stage ran out of memory; the kernel killed it.")
            : result.Limit == LimitHit.OutputLimit ? Report(ReportStatus.Fail, Verdict.OutputLimit, stage, $"The {stage} stage printed past the output limit; the output was cut and the side's processes killed.")
            : null;

        /// <summary>A service that exited before it answered failed; one still running at the startup limit timed out.</summary>
        private GradingReport NotStartedReport(string stage) => _lastServiceExited
            ? Report(ReportStatus.Fail, Verdict.TestsFailed, stage, $"The service exited before it answered {_manifest.Service.Health}: {GradingDatabase.Tail(_lastServiceOutput)}")
            : Report(ReportStatus.Fail, Verdict.TimedOut, stage, $"The service did not answer {_manifest.Service.Health} within {_manifest.Service.StartupTimeout}: {GradingDatabase.Tail(_lastServiceOutput)}");

        /// <summary>The verdict when the service itself hit a limit while it ran.</summary>
        private async Task<GradingReport?> ServiceLimitReportAsync(string stage, IReadOnlyList<MetricOutcome>? metrics = null) =>
            await host.LimitHitAsync(Side.Candidate, cancellationToken) switch
            {
                LimitHit.OutOfMemory => Report(ReportStatus.Fail, Verdict.OutOfMemory, stage, $"The service ran out of memory; the kernel killed it. {GradingDatabase.Tail(_lastServiceOutput, 5)}", metrics),
                LimitHit.OutputLimit => Report(ReportStatus.Fail, Verdict.OutputLimit, stage, "The service printed past the output limit; the output was cut and the service killed.", metrics),
                _ => null,
            };

        private async Task<IBackgroundProcess?> StartServiceAsync(Side side, string stage, string dll, IReadOnlyDictionary<string, string> environment, string serviceUrl)
        {
            progress?.Report(new GradingProgress(stage, side, null));
            var started = Stopwatch.StartNew();
            var process = await host.StartAsync(side, new CommandSpec("dotnet", [dll], null, environment, Timeout.InfiniteTimeSpan), cancellationToken);
            _processes.Add(process);
            // The probe runs where the sides meet: on the grader's view of the shared loopback.
            var healthy = await host.WaitForHttpAsync(serviceUrl + _manifest.Service.Health, _manifest.Service.StartupTimeout, process, cancellationToken);
            Record(new StageOutcome(stage, side, healthy ? StageStatus.Ok : StageStatus.Failed, started.Elapsed.TotalMilliseconds, process.HasExited ? 1 : null));
            if (side == Side.Candidate)
            {
                _lastServiceOutput = process.Output;
                _lastServiceExited = process.HasExited;
            }

            return healthy ? process : null;
        }

        /// <summary>Runs the hidden tests of one phase against the service at <paramref name="serviceUrl"/>.</summary>
        private Task<CommandResult> HiddenTestsAsync(string stage, string phase, string resultsFile, string serviceUrl, ServiceDatabase database, string? fakesUrl, string metricsFile, bool anyExitIsOk = false) =>
            Command(Side.Grader, stage, "dotnet",
                [_hiddenDll!, "-noLogo", "-noColor", "-parallelMode", "none", "-trait", $"Phase={phase}", "-result-xml", resultsFile],
                null, _manifest.Limits.Tests,
                HiddenEnvironment(serviceUrl, database, fakesUrl, metricsFile), anyExitIsOk);

        private Dictionary<string, string> HiddenEnvironment(string serviceUrl, ServiceDatabase database, string? fakesUrl, string metricsFile)
        {
            var environment = new Dictionary<string, string>
            {
                ["ASSESS_SERVICE_URL"] = serviceUrl,
                ["ASSESS_GRADER_DATABASE"] = database.GraderConnectionString,
                ["ASSESS_SERVICE_ROLE"] = database.Role,
                // Absolute: the test runner changes its working folder to the test assembly's.
                ["ASSESS_METRICS_FILE"] = host.PathOf(Side.Grader, metricsFile),
            };
            foreach (var name in _manifest.Fakes?.Names ?? [])
            {
                environment[$"ASSESS_FAKE_{name.ToUpperInvariant().Replace('-', '_')}_URL"] = $"{fakesUrl}/{name}";
            }

            return environment;
        }

        /// <param name="anyExitIsOk">The exit code says nothing about the stage (the hidden tests on
        /// the baseline fail as the template does); only a timeout fails it.</param>
        private async Task<CommandResult> Command(Side side, string stage, string program, IReadOnlyList<string> args, string? workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, bool anyExitIsOk = false)
        {
            progress?.Report(new GradingProgress(stage, side, null));
            var result = await host.RunAsync(side, new CommandSpec(program, args, workingDirectory, environment ?? new Dictionary<string, string>(), timeout), cancellationToken);
            Record(result.ToStage(stage, side, anyExitIsOk));
            return result;
        }

        private async Task<T> Stage<T>(string name, Side side, Func<Task<T>> action)
        {
            progress?.Report(new GradingProgress(name, side, null));
            var started = Stopwatch.StartNew();
            var value = await action();
            Record(new StageOutcome(name, side, StageStatus.Ok, started.Elapsed.TotalMilliseconds, null));
            return value;
        }

        private void Record(StageOutcome stage)
        {
            _stages.Add(stage);
            progress?.Report(new GradingProgress(stage.Name, stage.Side, stage));
        }

        private void SkipHiddenTests(string reason, string? fromPhase = null)
        {
            var phases = _manifest.Phases.SkipWhile(p => fromPhase is not null && p.Name != fromPhase).Select(p => p.Name).ToHashSet();
            foreach (var test in _manifest.Hidden.Tests.Where(t => phases.Contains(t.Phase)))
            {
                _tests.Add(new TestOutcome { Name = test.Name, Visibility = TestVisibility.Hidden, Phase = test.Phase, Status = TestStatus.Error, Message = $"Not run: {reason}." });
            }
        }

        /// <summary>Every metric the manifest declares, counted and timed, with the candidate's
        /// counts only: the report of a grading that stopped early, or ran without the baseline.</summary>
        private List<MetricOutcome> Metrics(IReadOnlyDictionary<string, List<double>> counts, string? note = null) =>
        [
            .. _manifest.Metrics.Select(m => MetricOutcomes.Counted(m, counts.GetValueOrDefault(m.Key) ?? [], [], BaselineSource.None, note)),
            .. (_manifest.Benchmarks?.Endpoints ?? []).SelectMany(e => new[]
            {
                MetricOutcomes.Timed(e.MedianKey, e.MedianTitle, [], [], note),
                MetricOutcomes.Timed(e.P95Key, e.P95Title, [], [], note),
            }),
        ];

        private GradingReport Report(ReportStatus status, Verdict verdict, string? stage, string? message, IReadOnlyList<MetricOutcome>? metrics = null) => new()
        {
            Status = status,
            Verdict = verdict,
            Stage = stage,
            Message = message,
            Scenario = new ScenarioRef(_manifest.Id, _manifest.Version, request.Package.ContentHash),
            Subject = request.Subject,
            Tests = _tests,
            Metrics = metrics ?? Metrics(new Dictionary<string, List<double>>()),
            Findings = _findings,
            Changes = _changes,
            Stages = _stages,
            Environment = new RunEnvironment(host.Name, host.ImageDigest, host.Isolation),
            StartedAt = _startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>Above 1 when the candidate is better than the baseline, whichever the direction.</summary>
    public static double? Improvement(Scenarios.Manifest.MetricDirection direction, double? candidate, double? baseline)
    {
        if (candidate is not { } c || baseline is not { } b)
        {
            return null;
        }

        if (c == b)
        {
            return 1;
        }

        // A count of zero on the better side would divide by zero; treat it as one below the unit.
        return direction == Scenarios.Manifest.MetricDirection.Lower
            ? b / Math.Max(c, 1e-9)
            : c / Math.Max(b, 1e-9);
    }

    /// <summary>A hidden test result's name matches its declared method name, theory arguments aside.</summary>
    public static bool SameTest(string resultName, string declaredName) =>
        resultName == declaredName || resultName.StartsWith(declaredName + "(", StringComparison.Ordinal);

    /// <summary>The compiler's error lines, or the tail of the output when there are none.</summary>
    internal static string BuildErrors(string output)
    {
        var errors = BuildError().Matches(output).Select(m => m.Value.Trim()).Distinct().Take(20).ToList();
        return errors.Count > 0 ? string.Join('\n', errors) : GradingDatabase.Tail(output);
    }

    [GeneratedRegex(@"^.*(error|Error) [A-Z]+[0-9]+:.*$", RegexOptions.Multiline)]
    private static partial Regex BuildError();
}

/// <summary>A stage started (<paramref name="Finished"/> null) or ended.</summary>
public sealed record GradingProgress(string Stage, Side Side, StageOutcome? Finished);
