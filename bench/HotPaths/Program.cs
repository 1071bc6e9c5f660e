using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Findings;
using Assessments.Runner.Results;
using Assessments.Scenarios;
using Assessments.Web.Features.GitHub;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// The product's own hot code, measured in this process: the signature every webhook delivery is
// checked with, the content hash of a package (every import and every grading's cache key), the
// parser of xunit's results (every grading, hidden and public), and the change-and-findings pass
// over a large candidate tree (every grading). The in-process toolchain: the default one builds
// and restores a project per run, which fails offline.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(HotPaths).Assembly).Run(args, config);

[MemoryDiagnoser]
public class HotPaths
{
    private byte[] _delivery = [];
    private string _signature = "";
    private IReadOnlyList<PackageFile> _package = [];
    private List<PackageFile> _template = [];
    private List<PackageFile> _candidate = [];
    private string _results = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = FindRepositoryRoot();
        // A push delivery of GitHub's size for a few commits.
        _delivery = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"commits\":[" + string.Join(',', Enumerable.Range(0, 20).Select(i => $"{{\"id\":\"{i:x40}\",\"message\":\"{new string('m', 900)}\"}}")) + "]}");
        _signature = WebhookSignature.Compute("s3cret-of-the-repository", _delivery);

        var package = ScenarioPackage.Load(Path.Combine(root, "scenarios", "n-plus-one")).GetPackageOrThrow("scenarios/n-plus-one");
        _package = package.Files;
        _template = [.. package.TemplateFiles];
        // A candidate who touched every source file: each gets forty new lines, some public members.
        _candidate = [.. _template.Select(f => f.Path.EndsWith(".cs", StringComparison.Ordinal)
            ? f with { Content = [.. f.Content, .. Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"\n// line {i}: the candidate's change")) + "\npublic static class Added { public static int Value() => 1; }\n")] }
            : f)];

        // xunit v3's results for 400 tests: the recorded fixture's tests, repeated.
        var fixture = File.ReadAllText(Path.Combine(root, "tests", "Assessments.Runner.Tests", "Fixtures", "xunit-v3-main.xml"));
        var start = fixture.IndexOf("<test ", StringComparison.Ordinal);
        var end = fixture.LastIndexOf("</test>", StringComparison.Ordinal) + "</test>".Length;
        _results = fixture[..start] + string.Concat(Enumerable.Repeat(fixture[start..end], 100)) + fixture[end..];
    }

    [Benchmark]
    public bool WebhookSignatureCheck() => WebhookSignature.IsValid("s3cret-of-the-repository", _delivery, _signature);

    [Benchmark]
    public string PackageContentHash() => ContentHash.Compute(_package);

    [Benchmark]
    public int XunitResultsOf400Tests() => XunitResultParser.Parse(_results, TestVisibility.Hidden, "main", methodNames: true).Count;

    [Benchmark]
    public int ChangesAndFindingsOfATreeTouchedEverywhere()
    {
        var changes = TreeComparison.Compare(_template, _candidate);
        return ChangeFindings.Find(changes, _candidate, []).Count;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Assessments.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository: Assessments.sln was not found above " + AppContext.BaseDirectory);
    }
}
