using System.Diagnostics;
using System.Text;
using Assessments.Scenarios;
using Assessments.Web.Features.Git;

namespace Assessments.Web.Tests.Features.Git;

/// <summary>Nothing under hidden/, solution/ or variants/ can reach what a candidate receives:
/// every git object of a repository seeded from each package is scanned for those files.</summary>
public sealed class TemplateRepositoryTests
{
    private const string Scaffold = "(scaffold)";

    public static TheoryData<string> Packages()
    {
        // The library's packages, and the scaffold `assess scenario new` writes.
        var data = new TheoryData<string> { Scaffold };
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(RepositoryRoot.Path, "scenarios")).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(folder, ScenarioPackage.ManifestFileName)))
            {
                data.Add(Path.GetRelativePath(RepositoryRoot.Path, folder));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public async Task SeededRepositoryHoldsTheTemplateAndNothingOfTheGradersFiles(string packagePath)
    {
        var ct = TestContext.Current.CancellationToken;
        var scratch = Directory.CreateTempSubdirectory("seed-test-");
        try
        {
            var folder = Path.Combine(RepositoryRoot.Path, packagePath);
            if (packagePath == Scaffold)
            {
                folder = Path.Combine(scratch.FullName, "scaffolded");
                await ScenarioScaffold.WriteAsync("scaffolded", folder, ct);
            }

            var package = ScenarioPackage.Load(folder, packagePath).GetPackageOrThrow(packagePath);
            var bare = Path.Combine(scratch.FullName, "candidate.git");
            var commit = await TemplateRepository.SeedAsync(package, bare, "main", ct);

            // Exactly the template's paths, in the one commit, authored by the platform.
            var paths = (await Git(bare, "ls-tree", "-r", "--name-only", commit)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(package.TemplateFiles.Select(f => f.Path).Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
            Assert.Equal("1", (await Git(bare, "rev-list", "--count", "--all")).Trim());
            Assert.Equal($"{TemplateRepository.AuthorName} <{TemplateRepository.AuthorEmail}>", (await Git(bare, "log", "-1", "--format=%an <%ae>", commit)).Trim());

            Assert.Empty(await LeaksAsync(package, bare));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ScanFindsAHiddenFileCopiedIntoTheTemplate()
    {
        // The scan itself can fail: a template that carries a hidden test's source is caught.
        var ct = TestContext.Current.CancellationToken;
        using var package = new TestPackage();
        package.Write("template/tests/Copied.cs", TestPackage.HiddenTests);
        var loaded = package.Load().GetPackageOrThrow(package.Display);
        var scratch = Directory.CreateTempSubdirectory("seed-test-");
        try
        {
            var bare = Path.Combine(scratch.FullName, "candidate.git");
            await TemplateRepository.SeedAsync(loaded, bare, "main", ct);
            var leaks = await LeaksAsync(loaded, bare);
            Assert.Contains(leaks, l => l.StartsWith("hidden/Tiny.Hidden/HiddenTests.cs is in the candidate's repository as blob", StringComparison.Ordinal));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Every grader-side file found in the repository's object store, as a sentence.</summary>
    private static async Task<List<string>> LeaksAsync(ScenarioPackage package, string bare)
    {
        var blobs = await AllBlobsAsync(bare);
        var template = package.TemplateFiles.ToDictionary(f => f.Path, f => f.Content);
        var secret = package.Files
            .Where(f => f.Path.StartsWith("hidden/", StringComparison.Ordinal) || f.Path.StartsWith("solution/", StringComparison.Ordinal) || f.Path.StartsWith("variants/", StringComparison.Ordinal))
            // An overlay file identical to the template's own copy reveals nothing.
            .Where(f => !template.TryGetValue(OverlayPath(f.Path), out var same) || !same.AsSpan().SequenceEqual(f.Content))
            .ToList();
        Assert.NotEmpty(secret);

        var leaks = new List<string>();
        foreach (var file in secret)
        {
            var id = (await Git(bare, ["hash-object", "--stdin"], file.Content)).Trim();
            if (blobs.ContainsKey(id))
            {
                leaks.Add($"{file.Path} is in the candidate's repository as blob {id}");
            }
            else if (file.Content.Length >= 64 && blobs.FirstOrDefault(b => b.Value.AsSpan().IndexOf(file.Content) >= 0) is { Key: { } container })
            {
                leaks.Add($"{file.Path} is contained in blob {container} of the candidate's repository");
            }
        }

        return leaks;
    }

    /// <summary>solution/x and variants/NAME/x overlay template x; hidden files overlay nothing.</summary>
    private static string OverlayPath(string path) => path switch
    {
        _ when path.StartsWith("solution/", StringComparison.Ordinal) => path["solution/".Length..],
        _ when path.StartsWith("variants/", StringComparison.Ordinal) => path[(path.IndexOf('/', "variants/".Length) + 1)..],
        _ => "",
    };

    /// <summary>Every blob in the object store, reachable or not.</summary>
    private static async Task<Dictionary<string, byte[]>> AllBlobsAsync(string repository)
    {
        var ids = (await Git(repository, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts[1] == "blob")
            .Select(parts => parts[0])
            .ToList();
        var blobs = new Dictionary<string, byte[]>();
        foreach (var id in ids)
        {
            blobs[id] = Encoding.Latin1.GetBytes(await Git(repository, ["cat-file", "blob", id], null, latin1: true));
        }

        return blobs;
    }

    private static Task<string> Git(string repository, params string[] args) => Git(repository, args, null);

    private static async Task<string> Git(string repository, string[] args, byte[]? input, bool latin1 = false)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = latin1 ? Encoding.Latin1 : Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var git = Process.Start(info)!;
        if (input is not null)
        {
            await git.StandardInput.BaseStream.WriteAsync(input);
        }

        git.StandardInput.Close();
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {await git.StandardError.ReadToEndAsync()}");
        return output;
    }
}
