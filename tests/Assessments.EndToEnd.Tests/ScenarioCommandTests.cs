using Assessments.EndToEnd.Tests.Infrastructure;

namespace Assessments.EndToEnd.Tests;

/// <summary><c>assess scenario</c> as an author runs it, on a library folder of test packages.</summary>
public sealed class ScenarioCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ValidateAcceptsAValidPackageAndNamesEveryErrorOfABrokenOne()
    {
        using var valid = new TestPackage();
        using var broken = new TestPackage();
        broken.EditManifest("weight: 60", "weight: sixty");
        broken.EditManifest("version: 10.0.3", "version: latest");

        var ok = await AssessProcess.RunAsync(new Dictionary<string, string>(), Timeout, "scenario", "validate", valid.Root);
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains(": valid (tiny 1.0, ", ok.Stdout);

        var bad = await AssessProcess.RunAsync(new Dictionary<string, string>(), Timeout, "scenario", "validate", broken.Root);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("scenario.yaml:13:13: rubric[0].weight: must be a whole number from 1 to 100", bad.Stdout);
        Assert.Contains("scenario.yaml:51:14: packages[0].version: 'latest' is not an exact version", bad.Stdout);
    }

    [Fact]
    public async Task ListShowsEachPackageOfTheLibraryWithItsHash()
    {
        using var package = new TestPackage();
        var library = Path.GetDirectoryName(package.Root)!;
        var hash = package.Load().Package!.ContentHash;

        var list = await AssessProcess.RunAsync(new Dictionary<string, string> { ["Scenarios__LibraryPath"] = library }, Timeout, "scenario", "list");
        Assert.True(list.ExitCode == 0, list.Stdout + list.Stderr);
        Assert.Contains($"tiny                   1.0      mid     {hash[..12]}  Tiny service", list.Stdout);

        var show = await AssessProcess.RunAsync(new Dictionary<string, string> { ["Scenarios__LibraryPath"] = library }, Timeout, "scenario", "show", "tiny");
        Assert.True(show.ExitCode == 0, show.Stdout + show.Stderr);
        Assert.Contains($"content hash {hash}", show.Stdout);
        Assert.Contains("RemembersAfterRestart: on the template fails with \"forgot\"", show.Stdout);
    }

    [Fact]
    public async Task VerifyRefusesAnInvalidPackageAndNamesAnEngineThatDoesNotAnswer()
    {
        using var broken = new TestPackage();
        broken.EditManifest("weight: 60", "weight: 50");
        var invalid = await AssessProcess.RunAsync(new Dictionary<string, string>(), Timeout, "scenario", "verify", broken.Root);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("rubric: weights add up to 90; they must add up to 100", invalid.Stdout);

        using var valid = new TestPackage();
        var noEngine = await AssessProcess.RunAsync(
            new Dictionary<string, string> { ["Sandbox__DockerEndpoint"] = "unix:///nonexistent/docker.sock" }, Timeout, "scenario", "verify", valid.Root);
        Assert.Equal(3, noEngine.ExitCode);
        Assert.Contains("The Docker engine at unix:///nonexistent/docker.sock (Sandbox:DockerEndpoint) did not answer", noEngine.Stderr);
        Assert.DoesNotContain("   at ", noEngine.Stderr);
    }

    [Fact]
    public async Task WithoutALibraryTheCommandSaysWhatToSet()
    {
        var result = await AssessProcess.RunAsync(new Dictionary<string, string>(), Timeout, "scenario", "list");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("set Scenarios__LibraryPath", result.Stderr);
    }
}
