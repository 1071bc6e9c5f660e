using System.Diagnostics;
using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Runner.Sandbox;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>Hostile submissions on a tiny scenario with short limits, each graded in the real
/// sandbox: the right verdict at the right stage, and afterwards nothing of it on the host (no
/// container of the grading, no process of a sandbox uid, no disk used). The last case grades the
/// reference solution to show the sandbox is still normal after all of them.</summary>
[Collection(SandboxCollection.Name)]
[TestMethodOrderer(typeof(ByNameOrderer))]
public sealed class HostileSubmissionTests(DockerSandbox sandbox, HostileScenario scenario) : IClassFixture<HostileScenario>
{
    private const string ApiProject = "src/Greeting.Api/Greeting.Api.csproj";
    private const string ApiProgram = "src/Greeting.Api/Program.cs";

    [Fact]
    public async Task Case01_ForkBombInTheBuildIsStoppedAtTheBuild()
    {
        var report = await GradeAsync(Target("sh -c 'f() { f | f & }; f' ; sleep 600"));
        // The pids limit makes forks fail: whichever process of the build meets it first decides
        // between a build that fails (EAGAIN: the process limit, named) or fails otherwise ("Out of
        // memory" from a runtime that cannot start a thread) and one that hangs until the wall clock
        // kills its container. Either way it ends at the build, with nothing left behind.
        Assert.True(report.Verdict is Verdict.TimedOut or Verdict.ResourceLimit or Verdict.BuildFailed && report.Stage == "build", $"{report.Verdict} at {report.Stage}: {report.Message}");
    }

    [Fact]
    public async Task Case02_MemoryBombAtStartupIsKilledForMemory()
    {
        var report = await GradeAsync(Startup("""
            while (true)
            {
                // Native memory, page by page: the kernel's limit, not the GC's, is what stops it.
                var block = System.Runtime.InteropServices.Marshal.AllocHGlobal(64 << 20);
                for (var offset = 0; offset < 64 << 20; offset += 4096)
                {
                    System.Runtime.InteropServices.Marshal.WriteByte(block, offset, 1);
                }
            }
            """));
        AssertVerdict(report, Verdict.OutOfMemory, "start");
    }

    [Fact]
    public async Task Case03_InfiniteLoopAtStartupTimesOut()
    {
        var report = await GradeAsync(Startup("while (true) { }"));
        AssertVerdict(report, Verdict.TimedOut, "start");
    }

    [Fact]
    public async Task Case04_DiskFillRunsOutOfSpaceInItsOwnWorkspace()
    {
        var report = await GradeAsync(Target("for i in $(seq 1 100); do dd if=/dev/zero of=fill$i bs=1M count=64 2>&1 || exit 1; done"));
        AssertVerdict(report, Verdict.ResourceLimit, "build");
        Assert.Contains("The candidate's build filled its disk", report.Message);
    }

    [Fact]
    public async Task Case05_StdoutFloodIsCutAndStopped()
    {
        var report = await GradeAsync(Startup("""
            var chunk = new string('x', 1 << 16);
            while (true) { Console.Out.Write(chunk); }
            """));
        AssertVerdict(report, Verdict.OutputLimit, "start");
    }

    [Fact]
    public async Task Case06_NetworkAttemptFindsNoNetwork()
    {
        // TEST-NET-1 (RFC 5737): never routed anywhere. Inside the sandbox there is no route at all,
        // so the connect fails before a packet exists.
        var report = await GradeAsync(Startup("""
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("192.0.2.1", 80);
            """));
        AssertVerdict(report, Verdict.TestsFailed, "start");
        Assert.Contains("Network is unreachable", report.Message);
    }

    [Fact]
    public async Task Case07_ProcessLeftRunningByTheBuildIsKilledBeforeTheServiceStarts()
    {
        // Once the service listens (one more listening socket than during the build), the daemon
        // would delete the published service again and again: the restart before the second
        // phase would find nothing to start.
        var report = await GradeAsync(Target(
            "setsid sh -c 'n=$(grep -c \" 0A \" /proc/net/tcp); while [ $(grep -c \" 0A \" /proc/net/tcp) -le $n ]; do sleep 0.2; done; " +
            "while true; do rm -rf /work/out/service; sleep 0.2; done' >/dev/null 2>&1 &"));
        AssertTemplateVerdict(report);
    }

    [Fact]
    public async Task Case08_GraderPortsAreTakenBeforeCandidateCodeRuns()
    {
        // The build fails if, when candidate code first runs, nothing of the grader listens yet
        // (its ports could be squatted and PostgreSQL impersonated); the service then tries to
        // take every port that listens and would stop if it got one.
        var report = await GradeAsync(Target("grep -q ' 0A ' /proc/net/tcp || { echo NO-GRADER-LISTENER-YET; exit 1; }"), Startup("""
            foreach (var line in File.ReadAllLines("/proc/net/tcp").Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != "0A")
                {
                    continue; // not listening
                }

                var port = Convert.ToInt32(fields[1].Split(':')[1], 16);
                try
                {
                    new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port).Start();
                    Console.WriteLine($"HIJACKED {port}");
                    Environment.Exit(42);
                }
                catch (System.Net.Sockets.SocketException)
                {
                    Console.WriteLine($"port {port} is taken");
                }
            }
            """));
        AssertTemplateVerdict(report);
    }

    [Fact]
    public async Task Case09_EnvironmentExitAtStartupFailsToStart()
    {
        var report = await GradeAsync(Startup("Environment.Exit(0);"));
        AssertVerdict(report, Verdict.TestsFailed, "start");
        Assert.Contains("exited before it answered", report.Message);
    }

    [Fact]
    public async Task Case10_MsBuildTargetHuntingForTheHiddenTestsFindsNothing()
    {
        // The name is assembled by the shell so the project file itself does not match.
        var report = await GradeAsync(Target("""if grep -rlqs --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev "Greeting""TakesOneStatement" / ; then echo FOUND-HIDDEN-TESTS; exit 1; fi"""));
        AssertTemplateVerdict(report);
    }

    [Fact]
    public async Task Case11_ForgedResultsFilesAreNeverRead()
    {
        const string passing = """<assemblies><assembly name="Greeting.Hidden" total="2" passed="2" failed="0" skipped="0"><collection><test name="Greeting.Hidden.GreetingTests.GreetingTakesOneStatement" type="Greeting.Hidden.GreetingTests" method="GreetingTakesOneStatement" result="Pass" time="0.1" /><test name="Greeting.Hidden.GreetingTests.GreetingCountSurvivesRestart" type="Greeting.Hidden.GreetingTests" method="GreetingCountSurvivesRestart" result="Pass" time="0.1" /></collection></assembly></assemblies>""";
        var forge = string.Join("; ", new[] { "/work", "/tmp", "/work/repo", "/work/out" }
            .SelectMany(folder => new[] { "main", "after-restart" }.Select(phase => $"echo '{passing}' > {folder}/results-{phase}.xml 2>/dev/null")));
        var report = await GradeAsync(Target($"{forge}; true"));
        AssertTemplateVerdict(report);
    }

    [Fact]
    public async Task Case12_PackageOutsideTheAllowedSetIsNotAllowed()
    {
        var project = Encoding.UTF8.GetString(scenario.Template(ApiProject))
            .Replace("""<PackageReference Include="Npgsql" """, """<PackageReference Include="Newtonsoft.Json" Version="13.0.3" /><PackageReference Include="Npgsql" """, StringComparison.Ordinal);
        var report = await GradeAsync(File(ApiProject, project));
        AssertVerdict(report, Verdict.NotAllowed, "restore");
        Assert.Contains("Newtonsoft.Json", report.Message);
    }

    [Fact]
    public async Task Case13_RootDirectoryBuildTargetsReachesNoProjectOfTheGrader()
    {
        // Were the grader's projects built under the candidate's tree, this would empty them.
        var report = await GradeAsync(File("Directory.Build.targets", """
            <Project>
              <ItemGroup Condition="$(MSBuildProjectName.EndsWith('Hidden'))">
                <Compile Remove="@(Compile)" />
              </ItemGroup>
              <Target Name="Announce" BeforeTargets="Build">
                <Message Importance="high" Text="candidate targets in $(MSBuildProjectName)" />
              </Target>
            </Project>
            """));
        AssertTemplateVerdict(report);
    }

    [Fact]
    public async Task Case14_LinksToHostFilesAreNeverFollowed()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("hostile-links-");
        var secret = Path.Combine(work.FullName, "host-secret.txt");
        await System.IO.File.WriteAllTextAsync(secret, "HOST-SECRET-7f3a", ct);
        var tree = Path.Combine(work.FullName, "tree");
        foreach (var file in scenario.Package.TemplateFiles)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tree, file.Path))!);
            await System.IO.File.WriteAllBytesAsync(Path.Combine(tree, file.Path), file.Content, ct);
        }

        System.IO.File.CreateSymbolicLink(Path.Combine(tree, "src/Greeting.Api/appsettings.Production.json"), secret);
        Directory.CreateSymbolicLink(Path.Combine(tree, "host-etc"), "/etc");

        var read = Submissions.CandidateTree.FromDirectory(tree, new Submissions.TreeLimits());
        work.Delete(recursive: true);

        Assert.Equal(["host-etc", "src/Greeting.Api/appsettings.Production.json"], read.SkippedLinks);
        Assert.DoesNotContain(read.Files, f => Encoding.UTF8.GetString(f.Content).Contains("HOST-SECRET-7f3a", StringComparison.Ordinal));
        var report = await GradeTreeAsync(read.Files);
        AssertTemplateVerdict(report);
    }

    [Fact]
    public async Task Case15_FloodInTheBuildIsStoppedAtOnce()
    {
        // A command that prints in a loop never ends by itself: were it stopped only at the build's
        // one-minute wall clock, the verdict would be timed-out.
        var report = await GradeAsync(Target("yes flooding-the-build-log"));
        AssertVerdict(report, Verdict.OutputLimit, "build");
        Assert.StartsWith("The candidate's build printed past the output limit (16 MB per command", report.Message);
    }

    [Fact]
    public async Task Case16_ServiceThatLogsSteadilyIsNotAFlood()
    {
        // 12 MB at start, then about 2 MB a second for the service's whole life: past 16 MB
        // within seconds, yet a log, not a flood. The template's own failure stays the verdict.
        var report = await GradeComparedAsync(Startup("""
            var logLine = new string('l', 1023);
            for (var i = 0; i < 12 * 1024; i++) { Console.Out.WriteLine(logLine); }
            new Thread(() =>
            {
                while (true)
                {
                    for (var i = 0; i < 32; i++) { Console.Out.WriteLine(logLine); }
                    Thread.Sleep(16);
                }
            }) { IsBackground = true }.Start();
            """));
        AssertTemplateVerdict(report);
        Assert.Contains(report.Stages, s => s.Name == "benchmarks" && s.Status == StageStatus.Ok);
    }

    [Fact]
    public async Task Case17_ServiceThatStopsAnsweringDuringTheTimedRoundsIsNotCompared()
    {
        // The hidden tests greet a handful of times; the timed rounds send hundreds of requests.
        var report = await GradeComparedAsync(File(ApiProgram, Encoding.UTF8.GetString(scenario.Template(ApiProgram)).Replace(
            "Interlocked.Increment(ref served);",
            "if (Interlocked.Increment(ref served) == 150) { _ = Task.Run(async () => { await Task.Delay(50); Environment.Exit(3); }); }",
            StringComparison.Ordinal)));
        AssertTemplateVerdict(report);
        Assert.Contains(report.Stages, s => s.Name == "benchmarks" && s.Status == StageStatus.Failed);
        foreach (var latency in report.Metrics.Where(m => m.Kind == MetricKind.Timed))
        {
            Assert.Equal(MetricComparison.NotCompared, latency.Comparison);
            Assert.Empty(latency.Samples);
            Assert.StartsWith("Not compared: too many requests failed. candidate: ", latency.Note);
            Assert.Contains("The candidate's service had exited", latency.Note);
        }
    }

    [Fact]
    public async Task Case99_TheNextGradingAfterThemAllIsNormal()
    {
        var report = await GradeComparedAsync(scenario.Package.SolutionFiles.ToArray());
        AssertVerdict(report, Verdict.Passed, null);
    }

    /// <summary>The template with <paramref name="overlay"/>, graded without the baseline beside it:
    /// an attack is the candidate side's, and the baseline's build and timed rounds would only add
    /// a minute per case. The cases about the timed rounds use <see cref="GradeComparedAsync"/>.</summary>
    private Task<GradingReport> GradeAsync(params PackageFile[] overlay) =>
        GradeTreeAsync(GradingRequest.Overlay(scenario.Package.TemplateFiles, overlay));

    /// <summary>As a candidate's push is graded: the baseline beside it and the endpoints timed.</summary>
    private Task<GradingReport> GradeComparedAsync(params PackageFile[] overlay) =>
        GradeTreeAsync(GradingRequest.Overlay(scenario.Package.TemplateFiles, overlay), compareWithBaseline: true);

    private Task<GradingReport> GradeTreeAsync(IReadOnlyList<PackageFile> tree, bool compareWithBaseline = false) =>
        SandboxGradings.GradeAndCheckNothingIsLeftAsync(sandbox, scenario.Hosts(sandbox), scenario.Engine, scenario.Package, tree, compareWithBaseline);

    private static void AssertVerdict(GradingReport report, Verdict verdict, string? stage)
    {
        Assert.True(report.Verdict == verdict && report.Stage == stage, $"expected {verdict} at {stage}, got {report.Verdict} at {report.Stage}: {report.Message}");
    }

    /// <summary>What the template itself gets: the attack changed nothing.</summary>
    private static void AssertTemplateVerdict(GradingReport report)
    {
        AssertVerdict(report, Verdict.TestsFailed, "hidden-tests:main");
        Assert.StartsWith("GET /greeting took 10 statements", report.Tests.Single(t => t.Name == "GreetingTakesOneStatement").Message);
    }

    /// <summary>The service's project with a target that runs <paramref name="shell"/> before it compiles.</summary>
    private PackageFile Target(string shell)
    {
        // MSBuild expands $(…), @(…) and %(…) in the command; the shell should see them as written.
        var command = System.Security.SecurityElement.Escape(shell.Replace("%", "%25", StringComparison.Ordinal).Replace("$", "%24", StringComparison.Ordinal).Replace("@", "%40", StringComparison.Ordinal));
        var project = Encoding.UTF8.GetString(scenario.Template(ApiProject)).Replace("</Project>", $"""
              <Target Name="Hostile" BeforeTargets="CoreCompile">
                <Exec Command="{command}" />
              </Target>
            </Project>
            """, StringComparison.Ordinal);
        return File(ApiProject, project);
    }

    /// <summary>The service's Program.cs with <paramref name="code"/> run first, after its usings.</summary>
    private PackageFile Startup(string code)
    {
        var lines = Encoding.UTF8.GetString(scenario.Template(ApiProgram)).Split('\n').ToList();
        var afterUsings = lines.FindLastIndex(l => l.StartsWith("using ", StringComparison.Ordinal)) + 1;
        lines.Insert(afterUsings, code);
        return File(ApiProgram, string.Join('\n', lines));
    }

    private static PackageFile File(string path, string text) => new(path, false, Encoding.UTF8.GetBytes(text));
}

/// <summary>The scaffolded scenario with short limits and no public tests: every hostile case
/// costs seconds, not minutes. Its offline feed is restored here, so the first case's disk check
/// sees its grading alone.</summary>
public sealed class HostileScenario(DockerSandbox sandbox) : IAsyncLifetime
{
    private DirectoryInfo? _folder;

    public ScenarioPackage Package { get; private set; } = null!;

    public GradingEngine Engine { get; } = new(new GradingEngineOptions(Path.Combine(DockerSandbox.CacheRoot, "grader-builds")));

    public byte[] Template(string path) => Package.TemplateFiles.Single(f => f.Path == path).Content;

    public IGradingHostFactory Hosts(DockerSandbox sandbox) => HostileHosts(sandbox);

    /// <summary>The sandbox's default limits but a file-size limit small enough to reach in seconds.</summary>
    public static IGradingHostFactory HostileHosts(DockerSandbox sandbox) =>
        new DockerHostFactory(sandbox.Docker, sandbox.Image, new OfflineFeeds(sandbox.Docker, sandbox.Image, DockerSandbox.CacheRoot), new SandboxLimits { FileSizeBytes = FileSizeLimit }, new IsolationMinimum());

    /// <summary>Above the 64 MB files of the disk fill, far below the 512 MB workspace.</summary>
    public const long FileSizeLimit = 100L << 20;

    public async ValueTask InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("hostile-");
        Package = await WriteAsync(_folder.FullName, "hostile", text => text.Replace("  publicTests: tests/Greeting.Tests/Greeting.Tests.csproj\n", "", StringComparison.Ordinal));
        Assert.Null(Package.Manifest.Service.PublicTests);
        Assert.Equal(TimeSpan.FromMinutes(1), Package.Manifest.Limits.Build);
        await new OfflineFeeds(sandbox.Docker, sandbox.Image, DockerSandbox.CacheRoot).EnsureAsync(Package, TestContext.Current.CancellationToken);
    }

    /// <summary>The scaffold as package <paramref name="id"/> with short limits, its manifest changed by <paramref name="edit"/>.</summary>
    public static async Task<ScenarioPackage> WriteAsync(string folder, string id, Func<string, string> edit)
    {
        var path = Path.Combine(folder, id);
        await ScenarioScaffold.WriteAsync(id, path, TestContext.Current.CancellationToken);
        var manifest = Path.Combine(path, "scenario.yaml");
        var text = (await System.IO.File.ReadAllTextAsync(manifest))
            .Replace("startupTimeout: 00:01:00", "startupTimeout: 00:00:15", StringComparison.Ordinal)
            .Replace("  build: 00:05:00", "  build: 00:01:00", StringComparison.Ordinal)
            .Replace("  tests: 00:02:00", "  tests: 00:01:00", StringComparison.Ordinal);
        await System.IO.File.WriteAllTextAsync(manifest, edit(text));
        return ScenarioPackage.Load(path).GetPackageOrThrow(path);
    }

    public ValueTask DisposeAsync()
    {
        _folder?.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Keeps the hosts it made, to name their gradings and dispose of them.</summary>
internal sealed class RecordingHostFactory(IGradingHostFactory inner) : IGradingHostFactory
{
    private readonly List<IGradingHost> _hosts = [];

    public IEnumerable<string> GradingIds => _hosts.OfType<DockerHost>().Select(h => h.GradingId);

    public IReadOnlyList<string> ContainerIds => _hosts.OfType<DockerHost>().SelectMany(h => h.ContainerIds).ToList();

    public async Task<IGradingHost> CreateAsync(ScenarioPackage package, bool candidateSubmission, CancellationToken cancellationToken)
    {
        var host = await inner.CreateAsync(package, candidateSubmission, cancellationToken);
        _hosts.Add(host);
        return host;
    }

    public async Task<IGradingHost> CreateForRepositoryAsync(IReadOnlyList<PackageFile> tree, IReadOnlyList<Runner.RepositoryTests.TestProject> projects, Runner.RepositoryTests.RepositoryTestLimits limits, CancellationToken cancellationToken)
    {
        var host = await inner.CreateForRepositoryAsync(tree, projects, limits, cancellationToken);
        _hosts.Add(host);
        return host;
    }

    public async Task DisposeAllAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }
}

/// <summary>Runs a class's tests in the order of their names (Case01 … Case99).</summary>
public sealed class ByNameOrderer : Xunit.v3.ITestMethodOrderer
{
    public IReadOnlyCollection<TTestMethod?> OrderTestMethods<TTestMethod>(IReadOnlyCollection<TTestMethod?> testMethods)
        where TTestMethod : notnull, Xunit.Sdk.ITestMethod =>
        testMethods.OrderBy(m => m?.MethodName, StringComparer.Ordinal).ToList();
}

/// <summary>Tests that grade in the sandbox run one at a time: host-side facts (processes of the
/// sandbox uids) would otherwise mix.</summary>
[CollectionDefinition(Name)]
public sealed class SandboxCollection
{
    public const string Name = "sandbox";
}
