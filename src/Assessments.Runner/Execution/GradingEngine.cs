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
    private const string CandidateMetricsFile = "metrics.jsonl";

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
        private string? _hiddenDll;

        // Why the public tests fail the grading, if they do; the hidden tests still run, so the
        // reviewer sees both.
        private Failure? _publicFailure;

        // The first phase whose hidden tests failed, and why.
        private Failure? _hiddenFailure;

        private IReadOnlyList<FileChangeOutcome> _changes = [];
        private IReadOnlyList<FindingOutcome> _findings = [];

        // For the nested helpers (ServiceInstances): a primary constructor's parameters are the
        // enclosing instance's alone.
        private IGradingHost Host => host;

        private CancellationToken Token => cancellationToken;

        private IProgress<GradingProgress>? Progress => progress;

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
            var (serviceDatabase, testsDatabase, fakesUrl) = await PrepareGraderSideAsync();
            if (await BuildCandidateAsync() is { } notBuilt)
            {
                return notBuilt;
            }

            if (await RunPublicTestsAsync(testsDatabase, fakesUrl) is { } stopped)
            {
                SkipHiddenTests("the public tests ran past their limit");
                return stopped;
            }

            var service = CandidateService(serviceDatabase, fakesUrl);
            if (await RunPhasesAsync(service, serviceDatabase, fakesUrl) is { } failedRun)
            {
                // A limit the public tests met came first, and stays the verdict.
                return _publicFailure is { Verdict: not (Verdict.TestsFailed or Verdict.BuildFailed) } limit
                    ? Report(limit.Status, limit.Verdict, limit.Stage, limit.Message)
                    : failedRun;
            }

            var counts = MetricSamples.Parse(await host.ReadFileAsync(Side.Grader, CandidateMetricsFile, cancellationToken));
            var metrics = request.CompareWithBaseline
                ? await CompareWithBaselineAsync(counts, service, fakesUrl)
                : Metrics(counts, "This grading ran without the baseline.");
            return FinalReport(metrics);
        }

        /// <summary>The grader's side, before any candidate code runs: PostgreSQL, the fakes and the
        /// hidden tests' build, so that every grader listener is up first (build included).</summary>
        private async Task<(ServiceDatabase Service, ServiceDatabase Tests, string? FakesUrl)> PrepareGraderSideAsync()
        {
            string[] databases = request.CompareWithBaseline ? ["svc_candidate", "svc_candidate_tests", BaselineDatabase] : ["svc_candidate", "svc_candidate_tests"];
            _database = await Stage("start-postgres", Side.Grader, () => GradingDatabase.StartAsync(host, host.PostgresBin, databases, cancellationToken));
            await host.PutFilesAsync(Side.Grader, "package", request.Package.Files.Where(f => f.Path.StartsWith("hidden/", StringComparison.Ordinal)), cancellationToken);
            var fakesUrl = await StartFakesAsync();
            _hiddenDll = await BuildGraderProjectAsync("build-hidden", _manifest.Hidden.Project, HiddenBinFolder);
            return (_database.Service("svc_candidate"), _database.Service("svc_candidate_tests"), fakesUrl);
        }

        /// <summary>The candidate's tree restored against the allowed packages and published; a
        /// report when that stopped the grading.</summary>
        private async Task<GradingReport?> BuildCandidateAsync()
        {
            await host.PutFilesAsync(Side.Candidate, ServiceFolder, request.Tree, cancellationToken);
            if (await RestoreAsync() is { } refused)
            {
                return refused;
            }

            var build = await Command(Side.Candidate, "build", "dotnet",
                ["publish", _manifest.Service.Project, "-c", "Release", "--no-restore", "-o", $"../{PublishFolder}", "-nodeReuse:false", "-p:UseSharedCompilation=false", "--nologo"],
                ServiceFolder, _manifest.Limits.Build);
            if (build.Succeeded)
            {
                return null;
            }

            SkipHiddenTests("the service did not build");
            return LimitReport(build, "build", _manifest.Limits.Build, "The candidate's build")
                ?? Report(ReportStatus.Fail, Verdict.BuildFailed, "build", BuildErrors(build.Output));
        }

        /// <summary>The candidate's service as the contract configures it: every instance on the
        /// same database with its own port, which is also where the grader looks.</summary>
        private ServiceInstances CandidateService(ServiceDatabase database, string? fakesUrl) =>
            new(this, Side.Candidate, "The candidate's service",
                port => Placeholders.Fill(_manifest.Service.Environment, port, database.ServiceConnectionString, fakesUrl));

        /// <summary>Starts the service and runs the hidden tests phase by phase, restarting it or
        /// changing its number of instances where a phase says; a report when a stage stopped the
        /// grading before every phase ran.</summary>
        private async Task<GradingReport?> RunPhasesAsync(ServiceInstances service, ServiceDatabase database, string? fakesUrl)
        {
            foreach (var (phase, index) in _manifest.Phases.Select((p, i) => (p, i)))
            {
                var stage = index == 0 ? "start" : phase.RestartService ? $"restart:{phase.Name}" : $"instances:{phase.Name}";
                if (!await service.RunAsync(phase.Instances, restart: phase.RestartService, stage))
                {
                    SkipHiddenTests(index == 0 ? "the service did not start" : $"the service did not start for phase {phase.Name}", fromPhase: phase.Name);
                    return await service.NotStartedReportAsync(stage);
                }

                var testsStage = $"hidden-tests:{phase.Name}";
                var result = await HiddenTestsAsync(testsStage, phase.Name, $"results-{phase.Name}.xml", service, database, fakesUrl, CandidateMetricsFile);
                if (result.TimedOut)
                {
                    // A service that stops answering holds the hidden tests up until their limit.
                    SkipHiddenTests($"the hidden tests of phase {phase.Name} ran past their limit", fromPhase: phase.Name);
                    return await service.StoppedByLimitReportAsync(testsStage)
                        ?? Report(ReportStatus.Fail, Verdict.TimedOut, testsStage, $"The hidden tests of phase {phase.Name} ran past their limit of {_manifest.Limits.Tests}.");
                }

                var xml = await host.ReadFileAsync(Side.Grader, $"results-{phase.Name}.xml", cancellationToken);
                if (xml is null)
                {
                    throw new GradingInfrastructureException(testsStage, $"The hidden tests {TestRunFailure.Describe(result, result.LimitFromOutput(), host)} and wrote no results: {GradingDatabase.Tail(result.Output)}");
                }

                var outcomes = XunitResultParser.Parse(xml, TestVisibility.Hidden, phase.Name, methodNames: true);
                _tests.AddRange(outcomes);
                if (_hiddenFailure is null && outcomes.Any(t => t.Status is not (TestStatus.Pass or TestStatus.Skipped)))
                {
                    // A limit is named only when it stopped the service while these tests ran.
                    _hiddenFailure = await service.StoppedByLimitReportAsync(testsStage) is { } limited
                        ? new Failure(limited.Status, limited.Verdict, testsStage, limited.Message)
                        : new Failure(ReportStatus.Fail, Verdict.TestsFailed, testsStage, null);
                }

                if (request.CompareWithBaseline)
                {
                    await NoteCountingPhaseAsync(index);
                }

                if (request.StopAfterFailing is { } awaited && index < _manifest.Phases.Count - 1
                    && outcomes.Any(t => t.Status == TestStatus.Fail && SameTest(t.Name, awaited)))
                {
                    // Skipped, not failed: nothing went wrong with them, the grading had its answer.
                    SkipHiddenTests($"{awaited} failed in phase {phase.Name}, the failure this grading waited for", fromPhase: _manifest.Phases[index + 1].Name, TestStatus.Skipped);
                    return null;
                }
            }

            var missing = _manifest.Hidden.Tests
                .Where(d => !_tests.Any(t => t.Visibility == TestVisibility.Hidden && SameTest(t.Name, d.Name)))
                .Select(d => d.Name).ToList();
            return missing.Count > 0
                ? throw new GradingInfrastructureException("hidden-tests", $"Declared hidden tests did not run: {string.Join(", ", missing)}.")
                : null;
        }

        /// <summary>The verdict of a grading that ran every phase: a limit or a crash of the public
        /// tests first (that stage came first), then failed hidden tests, then failed public tests
        /// where the scenario counts them.</summary>
        private GradingReport FinalReport(IReadOnlyList<MetricOutcome> metrics)
        {
            var hidden = _tests.Where(t => t.Visibility == TestVisibility.Hidden).ToList();
            var failedHidden = hidden.Count(t => t.Status is not (TestStatus.Pass or TestStatus.Skipped));
            var publicSentence = _publicFailure?.Message;
            if (_publicFailure is { Verdict: not (Verdict.TestsFailed or Verdict.BuildFailed) } publicLimit)
            {
                return Report(publicLimit.Status, publicLimit.Verdict, publicLimit.Stage, publicLimit.Message, metrics);
            }

            if (_hiddenFailure is { } failure)
            {
                var message = failure.Message ?? $"{failedHidden} of {hidden.Count} hidden tests failed.";
                return Report(failure.Status, failure.Verdict, failure.Stage, publicSentence is null ? message : $"{message} {publicSentence}", metrics);
            }

            return _publicFailure is { } failedPublic
                ? Report(failedPublic.Status, failedPublic.Verdict, failedPublic.Stage, failedPublic.Message, metrics)
                : Report(ReportStatus.Pass, Verdict.Passed, null, null, metrics);
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
            try
            {
                foreach (var file in files)
                {
                    var path = Path.Combine(staging, file.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await File.WriteAllBytesAsync(path, file.Content, cancellationToken);
                }

                await File.WriteAllTextAsync(Path.Combine(staging, ".complete"), request.Package.ContentHash, cancellationToken);
                Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
                Directory.Move(staging, cache);
            }
            catch (IOException) when (Directory.Exists(cache))
            {
                // A concurrent grading stored the same build first; ours goes.
            }
            finally
            {
                // Whatever failed (a full disk, say), no half-written build stays behind.
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        }

        /// <summary>Runs the candidate's own tests with the contract's settings on a scratch
        /// database. Their failures are kept for the verdict (where the scenario counts them) and
        /// the hidden tests still run; a report only when they ran past their wall clock (the
        /// side's container is gone then, so the grading cannot go on).</summary>
        private async Task<GradingReport?> RunPublicTestsAsync(ServiceDatabase database, string? fakesUrl)
        {
            if (_manifest.Service.PublicTests is not { } project || !request.RunPublicTests)
            {
                return null;
            }

            var environment = Placeholders.Fill(_manifest.Service.Environment, host.AllocatePort(), database.ServiceConnectionString, fakesUrl);
            var build = await Command(Side.Candidate, "build-public-tests", "dotnet",
                ["build", project, "-c", "Release", "--no-restore", "-o", "../out/public-tests", "-nodeReuse:false", "-p:UseSharedCompilation=false", "--nologo"],
                ServiceFolder, _manifest.Limits.Build);
            if (build.TimedOut)
            {
                return LimitReport(build, "build-public-tests", _manifest.Limits.Build, "The build of the candidate's public tests");
            }

            if (!build.Succeeded)
            {
                var errors = BuildErrors(build.Output);
                _tests.Add(PublicTestsError(project, errors));
                _publicFailure = LimitFailure(build.LimitFromOutput(), "build-public-tests", "The build of the candidate's public tests")
                    ?? (_manifest.Service.PublicTestsMustPass ? new Failure(ReportStatus.Fail, Verdict.BuildFailed, "build-public-tests", $"The public tests did not build: {errors}") : null);
                return null;
            }

            var run = await Command(Side.Candidate, "public-tests", "dotnet",
                [$"out/public-tests/{Path.GetFileNameWithoutExtension(project)}.dll", "-noLogo", "-noColor", "-result-xml", "public-tests.xml"],
                null, _manifest.Limits.Tests, environment, anyExitIsOk: true);
            if (run.TimedOut)
            {
                return LimitReport(run, "public-tests", _manifest.Limits.Tests, "The candidate's public tests");
            }

            var outcomes = await ReadPublicResultsAsync(project);
            var noResults = outcomes is null || (outcomes.Count == 0 && run.ExitCode != 0);
            outcomes ??= [];
            // What the output says about a full disk or the process limit only counts when the run
            // said nothing of its tests: a test's own message may mention either.
            var limit = noResults || run.ExitCode == CommandResult.FileSizeSignalExit ? run.LimitFromOutput() : run.Limit;
            if (limit is not null || noResults)
            {
                // Killed by a limit, or ended without a word on its tests: whatever it wrote, the
                // run is not a list of passing tests.
                var cause = TestRunFailure.Describe(run, limit, host);
                _tests.Add(PublicTestsError(project, $"The public tests {cause}{(noResults ? " and wrote no results" : "")}: {GradingDatabase.Tail(run.Output)}"));
                _publicFailure = LimitFailure(limit, "public-tests", "The candidate's public tests")
                    ?? (_manifest.Service.PublicTestsMustPass ? new Failure(ReportStatus.Fail, Verdict.TestsFailed, "public-tests", $"The public tests {cause} and wrote no results.") : null);
                return null;
            }

            _tests.AddRange(outcomes);
            var failed = outcomes.Where(t => t.Status is TestStatus.Fail or TestStatus.Error).ToList();
            if (failed.Count > 0 && _manifest.Service.PublicTestsMustPass)
            {
                _publicFailure = new Failure(ReportStatus.Fail, Verdict.TestsFailed, "public-tests",
                    $"{failed.Count} of {outcomes.Count} public tests failed: {string.Join(", ", failed.Take(5).Select(t => t.Name))}{(failed.Count > 5 ? ", …" : "")}.");
            }

            return null;
        }

        /// <summary>The public tests' outcomes; null when they wrote no results file. A file the
        /// candidate's side wrote but that cannot be read is their tests' error, not the grading's.</summary>
        private async Task<IReadOnlyList<TestOutcome>?> ReadPublicResultsAsync(string project)
        {
            var xml = await host.ReadFileAsync(Side.Candidate, "public-tests.xml", cancellationToken);
            if (xml is null)
            {
                return null;
            }

            try
            {
                return XunitResultParser.Parse(xml, TestVisibility.Public, null, methodNames: false);
            }
            catch (Exception e) when (e is System.Xml.XmlException or FormatException or InvalidOperationException)
            {
                return [PublicTestsError(project, $"The public tests' results file could not be read: {e.Message}")];
            }
        }

        private static TestOutcome PublicTestsError(string project, string message) =>
            new() { Name = project, Visibility = TestVisibility.Public, Status = TestStatus.Error, Message = message };

        /// <summary>Restores the candidate's projects from the host's package source and judges
        /// every package the restore resolved or missed against the scenario's allowed set. A
        /// report when the restore failed or used a package outside the set.</summary>
        private async Task<GradingReport?> RestoreAsync()
        {
            var projects = new[] { _manifest.Service.Project, request.RunPublicTests ? _manifest.Service.PublicTests : null }.OfType<string>();
            foreach (var project in projects)
            {
                var result = await Command(Side.Candidate, "restore", "dotnet",
                    ["restore", project, "--nologo", "-nodeReuse:false", .. RestoreConfig("--configfile", separate: true)],
                    ServiceFolder, _manifest.Limits.Build);
                if (LimitReport(result, "restore", _manifest.Limits.Build, "The restore of the candidate's packages") is { } limited)
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

        /// <summary>The report of a command stopped by a limit (the wall clock, memory, output, the
        /// file size, processes or a full disk); null for a plain failure. <paramref name="what"/>
        /// names the side and the stage ("The candidate's public tests").</summary>
        private GradingReport? LimitReport(CommandResult result, string stage, TimeSpan wallClock, string what) =>
            result.TimedOut ? Report(ReportStatus.Fail, Verdict.TimedOut, stage, $"{what} ran past the limit of {wallClock}; the side was killed.")
            : LimitFailure(result.LimitFromOutput(), stage, what) is { } failure ? Report(failure.Status, failure.Verdict, stage, failure.Message)
            : null;

        /// <summary>The failure of a stage a limit other than the wall clock stopped; null for none.</summary>
        private Failure? LimitFailure(LimitHit? limit, string stage, string what) =>
            limit is { } hit ? new Failure(ReportStatus.Fail, TestRunFailure.VerdictOf(hit), stage, LimitSentence(hit, what)) : null;

        /// <summary>What happened, with the limit's size on this host.</summary>
        private string LimitSentence(LimitHit limit, string what) => limit switch
        {
            LimitHit.OutOfMemory => $"{what} ran out of memory: the kernel killed it at {host.Describe(limit)}.",
            LimitHit.OutputLimit => $"{what} printed past {host.Describe(limit)}; the output was cut and it was stopped at once.",
            LimitHit.FileSize => $"{what} wrote a file past {host.Describe(limit)}; the kernel killed it (SIGXFSZ).",
            LimitHit.Processes => $"{what} could not start a process or thread: it reached {host.Describe(limit)}.",
            _ => $"{what} filled its disk: {host.Describe(limit)}.",
        };

        /// <summary>Runs the hidden tests of one phase against every instance of <paramref name="service"/>.</summary>
        private Task<CommandResult> HiddenTestsAsync(string stage, string phase, string resultsFile, ServiceInstances service, ServiceDatabase database, string? fakesUrl, string metricsFile, bool anyExitIsOk = false) =>
            Command(Side.Grader, stage, "dotnet",
                [_hiddenDll!, "-noLogo", "-noColor", "-parallelMode", "none", "-trait", $"Phase={phase}", "-result-xml", resultsFile],
                null, _manifest.Limits.Tests,
                HiddenEnvironment(service.Urls, database, fakesUrl, metricsFile), anyExitIsOk);

        private Dictionary<string, string> HiddenEnvironment(IReadOnlyList<string> serviceUrls, ServiceDatabase database, string? fakesUrl, string metricsFile)
        {
            var environment = new Dictionary<string, string>
            {
                ["ASSESS_SERVICE_URL"] = serviceUrls[0],
                // Every instance the phase runs, the first being ASSESS_SERVICE_URL.
                ["ASSESS_SERVICE_URLS"] = string.Join(',', serviceUrls),
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

        /// <summary>Reports the hidden tests of every phase from <paramref name="fromPhase"/> on (all
        /// of them when null) as not run, for <paramref name="reason"/>: an error by default, since
        /// something stopped them.</summary>
        private void SkipHiddenTests(string reason, string? fromPhase = null, TestStatus status = TestStatus.Error)
        {
            var phases = _manifest.Phases.SkipWhile(p => fromPhase is not null && p.Name != fromPhase).Select(p => p.Name).ToHashSet();
            foreach (var test in _manifest.Hidden.Tests.Where(t => phases.Contains(t.Phase)))
            {
                _tests.Add(new TestOutcome { Name = test.Name, Visibility = TestVisibility.Hidden, Phase = test.Phase, Status = status, Message = $"Not run: {reason}." });
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

/// <summary>Why a grading fails: its status, verdict, stage and the sentence for the reviewer
/// (null for the count of failed hidden tests, filled in at the end).</summary>
internal sealed record Failure(ReportStatus Status, Verdict Verdict, string Stage, string? Message);

/// <summary>A stage started (<paramref name="Finished"/> null) or ended.</summary>
public sealed record GradingProgress(string Stage, Side Side, StageOutcome? Finished);
