using Assessments.Runner.Sandbox;

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>A worker killed while it wrote into the cache leaves a staging folder; once it is old,
/// it goes, and nothing else in the cache does.</summary>
public sealed class CacheStagingTests : IDisposable
{
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("cache-staging-");

    public void Dispose() => _cache.Delete(recursive: true);

    [Fact]
    public void OldStagingFoldersAreRemovedAndEverythingElseStays()
    {
        var guid = Guid.NewGuid().ToString("N");
        var abandonedFeed = Folder($"feeds/0123abcd.{guid}.tmp/packages/npgsql", DateTime.UtcNow.AddDays(-1));
        var abandonedBuild = Folder($"grader-builds/0123abcd/scope/hidden.{guid}.tmp", DateTime.UtcNow.AddDays(-1));
        var underWay = Folder($"feeds/4567ef01.{guid}.tmp", DateTime.UtcNow);
        var entry = Folder("grader-builds/0123abcd/scope/hidden", DateTime.UtcNow.AddDays(-1));
        var notOurs = Folder("feeds/notes.tmp", DateTime.UtcNow.AddDays(-1));

        var removed = CacheStaging.RemoveAbandoned(_cache.FullName, DateTimeOffset.UtcNow.AddHours(-6));

        Assert.Equal([Path.GetDirectoryName(Path.GetDirectoryName(abandonedFeed))!, abandonedBuild], removed.Order(StringComparer.Ordinal));
        Assert.All(removed, path => Assert.False(Directory.Exists(path)));
        Assert.All([underWay, entry, notOurs], path => Assert.True(Directory.Exists(path), path));
    }

    [Fact]
    public void AMissingCacheFolderHasNothingToRemove() =>
        Assert.Empty(CacheStaging.RemoveAbandoned(Path.Combine(_cache.FullName, "never-made"), DateTimeOffset.UtcNow));

    private string Folder(string relative, DateTime lastWrite)
    {
        var path = Path.Combine(_cache.FullName, relative);
        Directory.CreateDirectory(path);
        // Innermost first: making a child touches its parent's time.
        for (var folder = path; folder.Length > _cache.FullName.Length; folder = Path.GetDirectoryName(folder)!)
        {
            Directory.SetLastWriteTimeUtc(folder, lastWrite);
        }

        return path;
    }
}
