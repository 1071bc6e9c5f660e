using System.Text.Json;
using Assessments.Scenarios;

namespace Assessments.Web.Features.Scenarios;

/// <summary>Records valid packages as scenarios and immutable versions: the built-in library's
/// (no organisation, <c>assess scenario import</c>) or an organisation's own (an upload). Idempotent:
/// a package whose hash is already stored adds nothing; a changed package adds a version.</summary>
public sealed class ScenarioImporter(AssessmentsDbContext db)
{
    public sealed record Imported(string Id, string ContentHash, bool NewVersion);

    /// <summary>Into the built-in library, by the operator at the command line.</summary>
    public Task<Imported> ImportAsync(ScenarioPackage package, CancellationToken cancellationToken) =>
        ImportAsync(package, organisationId: null, "cli", cancellationToken);

    /// <summary>Into <paramref name="organisationId"/>'s own library, or the built-in one when null.</summary>
    /// <exception cref="ScenarioImportException">An organisation's package takes a built-in scenario's id.</exception>
    public async Task<Imported> ImportAsync(ScenarioPackage package, Guid? organisationId, string actor, CancellationToken cancellationToken)
    {
        var manifest = package.Manifest;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // One id, one scenario for an organisation's members: invitations name scenarios by id.
        if (organisationId is not null && await db.Scenarios.AnyAsync(s => s.OrganisationId == null && s.Slug == manifest.Id, cancellationToken))
        {
            throw new ScenarioImportException($"scenario.yaml: id: the built-in library has a scenario '{manifest.Id}' already: give yours an id of its own");
        }

        var scenario = await db.Scenarios.SingleOrDefaultAsync(s => s.OrganisationId == organisationId && s.Slug == manifest.Id, cancellationToken);
        if (scenario is null)
        {
            scenario = new Scenario { OrganisationId = organisationId, Slug = manifest.Id, Title = manifest.Title };
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
            db.AuditEvents.Add(AuditEvent.About("scenario", manifest.Id, organisationId, actor, "scenario.version-imported", new { hash = package.ContentHash, label = manifest.Version }));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Imported(manifest.Id, package.ContentHash, isNew);
    }
}

/// <summary>Why a valid package cannot be imported where it was brought; for the person who brought it.</summary>
public sealed class ScenarioImportException(string message) : Exception(message);
