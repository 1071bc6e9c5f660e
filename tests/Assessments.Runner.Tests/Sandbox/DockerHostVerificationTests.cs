using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Runner.Sandbox;
using Assessments.Runner.Verification;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>The whole plan in the sandbox on a freshly scaffolded package: the same outcomes as on
/// the local host, with the image and the isolation each side reported in every report.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DockerHostVerificationTests(DockerSandbox sandbox)
{
    [Fact]
    public async Task ScaffoldedScenarioVerifiesInTheSandboxAsOnTheLocalHost()
    {
        var ct = TestContext.Current.CancellationToken;
        var library = Directory.CreateTempSubdirectory("scaffold-docker-");
        // The scaffold as "greeting", the package the end-to-end gradings use, in the same cache:
        // its offline feed and grader builds are made once per run, by whichever test comes first.
        var path = Path.Combine(library.FullName, "greeting");
        await ScenarioScaffold.WriteAsync("greeting", path, ct);
        var package = ScenarioPackage.Load(path).GetPackageOrThrow(path);
        var feeds = new OfflineFeeds(sandbox.Docker, sandbox.Image, DockerSandbox.CacheRoot);
        var hosts = new DockerHostFactory(sandbox.Docker, sandbox.Image, feeds, new SandboxLimits(), new IsolationMinimum());
        var verifier = new ScenarioVerifier(new GradingEngine(new GradingEngineOptions(Path.Combine(DockerSandbox.CacheRoot, "grader-builds"))), hosts);

        var result = await verifier.VerifyAsync(package, ct);
        library.Delete(recursive: true);

        Assert.True(result.Verified, string.Join("\n", result.Problems) + "\n" + result.Template.ToJson());
        Assert.Equal("docker", result.Solution.Environment.Host);
        Assert.Equal(sandbox.Image.Id, result.Solution.Environment.ImageDigest);
        Assert.Equal("lo", result.Solution.Environment.Isolation["candidate.network"]);
        Assert.Equal("10002", result.Solution.Environment.Isolation["candidate.uid"]);

        var templateTests = result.Template.Tests.Where(t => t.Visibility == TestVisibility.Hidden).ToDictionary(t => t.Name);
        Assert.StartsWith("GET /greeting took 10 statements", templateTests["GreetingTakesOneStatement"].Message);
        Assert.All(result.Template.Tests.Where(t => t.Visibility == TestVisibility.Public), t => Assert.Equal(TestStatus.Pass, t.Status));
        var primary = result.Solution.Metrics.Single(m => m.Primary);
        Assert.Equal(10, primary.Baseline);
        Assert.Equal(1, primary.Candidate);
        Assert.Equal(Verdict.TestsFailed, Assert.Single(result.Variants).Report.Verdict);
        Assert.Contains(result.Solution.Stages, s => s.Name == "restore");
    }
}
