using System.Diagnostics;
using Assessments.Scenarios;
using Assessments.Tests.Shared;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Library;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Tests.Features.Library;

/// <summary>Packages fetched from a git repository: the allow-list and the fetch policy refuse
/// before git runs; past them, one commit is fetched by branch, tag or commit id and read without a
/// checkout, a link in it refused; names git would take as options are refused. The fetches read a
/// local repository through git's file transport, as https to an allowed host cannot be reached here.</summary>
public sealed class PackageRepositoriesTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("package-repo-");

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [InlineData("https://github.com/someone-else/orders", "is not on the allow-list (https://github.com/acme/, https://10.20.30.40/)")]
    [InlineData("http://github.com/acme/orders", "is not on the allow-list")]
    [InlineData("https://user:secret@github.com/acme/orders", "is not on the allow-list")]
    [InlineData("https://10.20.30.40/acme/orders", "resolves to 10.20.30.40, which is not a public address")]
    public async Task AddressesOffTheListOrOutsideThePolicyAreRefusedBeforeGitRuns(string url, string reason)
    {
        var repositories = Repositories("https://github.com/acme/", "https://10.20.30.40/");
        var refused = await Assert.ThrowsAsync<PackageRepositoryException>(() => repositories.FetchAsync(url, "main", TestContext.Current.CancellationToken));
        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public async Task WithoutAnAllowListNothingIsFetchedAndTheOperatorIsToldWhatToSet()
    {
        var refused = await Assert.ThrowsAsync<PackageRepositoryException>(() => Repositories().FetchAsync("https://github.com/acme/orders", "main", TestContext.Current.CancellationToken));
        Assert.Contains("Scenarios__Git__AllowedRepositories__0", refused.Message);
    }

    [Fact]
    public async Task ABranchATagOrACommitIsFetchedAndReadAsAValidPackage()
    {
        var ct = TestContext.Current.CancellationToken;
        using var package = new TestPackage();
        var repository = Path.Combine(_work.FullName, "tiny");
        CopyFolder(package.Root, repository);
        Git(repository, "init", "--quiet", "-b", "main");
        Git(repository, "add", "--all");
        Git(repository, "-c", "user.name=Author", "-c", "user.email=author@example.com", "commit", "--quiet", "-m", "Tiny 1.0");
        Git(repository, "tag", "v1.0");
        var commit = Git(repository, "rev-parse", "HEAD").Trim();
        var url = new AllowedRepositoryUrl(new Uri($"file://{repository}"), [], IsPlatform: false);

        foreach (var gitRef in new[] { "main", "v1.0", commit })
        {
            var fetched = await Repositories().FetchCheckedAsync(url, gitRef, ct);
            Assert.Equal(commit, fetched.Commit);
            var loaded = ScenarioPackage.LoadFiles(fetched.Files, "tiny@" + gitRef);
            Assert.Empty(loaded.Errors);
            Assert.Equal(package.Load().Package!.ContentHash, loaded.Package!.ContentHash);
        }

        var missing = await Assert.ThrowsAsync<PackageRepositoryException>(() => Repositories().FetchCheckedAsync(url, "release/2.0", ct));
        Assert.Contains("Fetching release/2.0 from", missing.Message);
        foreach (var hostile in new[] { "--upload-pack=touch /tmp/owned", "main..other", "main^{tree}", "HEAD@{1}", "" })
        {
            var refused = await Assert.ThrowsAsync<PackageRepositoryException>(() => Repositories().FetchCheckedAsync(url, hostile, ct));
            Assert.Contains("is not a branch, tag or commit name git would take", refused.Message);
        }

        // A link in the package is refused, as in an archive.
        File.CreateSymbolicLink(Path.Combine(repository, "template", "secrets"), "/etc/shadow");
        Git(repository, "add", "--all");
        Git(repository, "-c", "user.name=Author", "-c", "user.email=author@example.com", "commit", "--quiet", "-m", "A link");
        var linked = await Assert.ThrowsAsync<PackageRepositoryException>(() => Repositories().FetchCheckedAsync(url, "main", ct));
        Assert.Contains("template/secrets is a symbolic link or a submodule", linked.Message);
    }

    private static PackageRepositories Repositories(params string[] allowed) =>
        new(Options.Create(new PackageRepositoryOptions { AllowedRepositories = [.. allowed] }), Options.Create(new PackageUploadLimits()));

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }
}
