using System.Text.Json;
using Assessments.Scenarios;

namespace Assessments.Web.Features.Scenarios;

/// <summary>Records valid packages as global scenarios and immutable versions. Idempotent: a
/// package whose hash is already stored adds nothing; a changed package adds a version.</summary>
public sealed class ScenarioImporter(AssessmentsDbContext db)
{
    public sealed record Imported(string Id, string ContentHash, bool NewVersion);

    public async Task<Imported> ImportAsync(ScenarioPackage package, CancellationToken cancellationToken)
    {
        var manifest = package.Manifest;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var scenario = await db.Scenarios.SingleOrDefaultAsync(s => s.OrganisationId == null && s.Slug == manifest.Id, cancellationToken);
        if (scenario is null)
        {
            scenario = new Scenario { Slug = manifest.Id, Title = manifest.Title };
            db.Scenarios.Add(scenario);
        }
        else
        {
            scenario.Title = manifest.Title;
        }

        if (!await db.ScenarioArchives.AnyAsync(p => p.ContentHash == package.ContentHash, cancellationToken))
        {
            using var archive = new MemoryStream();
            await PackageArchive.WriteAsync(package.Files, archive, cancellationToken);
            db.ScenarioArchives.Add(new ScenarioArchive
            {
                ContentHash = package.ContentHash,
                Archive = archive.ToArray(),
                SizeBytes = archive.Length,
            });
        }

        var isNew = scenario.Id == default
            || !await db.ScenarioVersions.AnyAsync(v => v.ScenarioId == scenario.Id && v.ContentHash == package.ContentHash, cancellationToken);
        if (isNew)
        {
            db.ScenarioVersions.Add(new ScenarioVersion
            {
                Scenario = scenario,
                ContentHash = package.ContentHash,
                Label = manifest.Version,
                Manifest = JsonSerializer.Serialize(manifest, JsonSerializerOptions.Web),
            });
            db.AuditEvents.Add(AuditEvent.About("scenario", manifest.Id, organisationId: null, "cli", "scenario.version-imported", new { hash = package.ContentHash, label = manifest.Version }));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Imported(manifest.Id, package.ContentHash, isNew);
    }
}
