using System.Text;

namespace Assessments.Scenarios.Tests;

public sealed class ContentHashTests
{
    [Fact]
    public void CanonicalFormMatchesTheDocumentedDefinition()
    {
        // Computed independently (Python's hashlib) from docs/decisions/006-scenario-content-hash.md:
        // SHA-256 of the header line, then per file: path NUL mode NUL length NUL bytes.
        var files = new[]
        {
            new PackageFile("a.txt", false, Encoding.UTF8.GetBytes("hello\n")),
            new PackageFile("b/run.sh", true, Encoding.UTF8.GetBytes("#!/bin/sh\n")),
        };
        Assert.Equal("945c2325b18738f9fb41f3a15bf18d8eae188e8d4ed4e7083ac5a850bee576b5", ContentHash.Compute(files));
    }

    [Fact]
    public void UnsortedFilesAreRefused()
    {
        var files = new[] { new PackageFile("b", false, []), new PackageFile("a", false, []) };
        Assert.Throws<ArgumentException>(() => ContentHash.Compute(files));
    }

    [Fact]
    public void SamePackageGivesTheSameHashWhateverTheFileTimes()
    {
        using var package = new TestPackage();
        var first = package.Load().Package!.ContentHash;
        File.SetLastWriteTimeUtc(Path.Combine(package.Root, "template/README.md"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(first, package.Load().Package!.ContentHash);
        Assert.Matches("^[0-9a-f]{64}$", first);
    }

    [Fact]
    public void OneChangedByteChangesTheHash()
    {
        using var package = new TestPackage();
        var before = package.Load().Package!.ContentHash;
        package.Write("template/README.md", "# Tiny!\n");
        Assert.NotEqual(before, package.Load().Package!.ContentHash);
    }

    [Fact]
    public void ExecutableBitChangesTheHash()
    {
        using var package = new TestPackage();
        var before = package.Load().Package!.ContentHash;
        var readme = Path.Combine(package.Root, "template/README.md");
        File.SetUnixFileMode(readme, File.GetUnixFileMode(readme) | UnixFileMode.UserExecute);
        Assert.NotEqual(before, package.Load().Package!.ContentHash);
    }

    [Fact]
    public void BuildOutputIsNotPartOfThePackage()
    {
        using var package = new TestPackage();
        var before = package.Load().Package!;
        package.Write("template/src/Tiny/bin/Debug/Tiny.dll", "binary");
        package.Write("hidden/Tiny.Hidden/obj/project.assets.json", "{}");
        var after = package.Load().Package!;
        Assert.Equal(before.ContentHash, after.ContentHash);
        Assert.DoesNotContain(after.Files, f => f.Path.Contains("/bin/") || f.Path.Contains("/obj/"));
    }

    [Fact]
    public async Task ArchiveRoundTripKeepsFilesModesAndHash()
    {
        using var package = new TestPackage();
        var readme = Path.Combine(package.Root, "template/README.md");
        File.SetUnixFileMode(readme, File.GetUnixFileMode(readme) | UnixFileMode.UserExecute);
        var loaded = package.Load().Package!;

        using var archive = new MemoryStream();
        await PackageArchive.WriteAsync(loaded.Files, archive, TestContext.Current.CancellationToken);
        archive.Position = 0;
        var restored = (await ScenarioPackage.LoadArchiveAsync(archive, "archive", TestContext.Current.CancellationToken)).Package!;

        Assert.Equal(loaded.ContentHash, restored.ContentHash);
        Assert.Equal(loaded.Files.Select(f => (f.Path, f.Mode)), restored.Files.Select(f => (f.Path, f.Mode)));
    }
}
