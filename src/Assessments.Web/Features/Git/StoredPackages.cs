using Assessments.Scenarios;

namespace Assessments.Web.Features.Git;

/// <summary>Scenario versions as imported: the package is read back from its stored archive, so a
/// repository is always seeded from exactly the content that was hashed.</summary>
public static class StoredPackages
{
    public static async Task<ScenarioPackage> LoadAsync(AssessmentsDbContext db, string contentHash, CancellationToken cancellationToken)
    {
        var archive = await db.ScenarioArchives.AsNoTracking().SingleAsync(a => a.ContentHash == contentHash, cancellationToken);
        var source = $"version {contentHash[..12]}";
        var loaded = await ScenarioPackage.LoadArchiveAsync(new MemoryStream(archive.Archive), source, cancellationToken);
        return loaded.GetPackageOrThrow(source);
    }
}
