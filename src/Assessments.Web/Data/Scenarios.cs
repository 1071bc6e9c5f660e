namespace Assessments.Web.Data;

/// <summary>A scenario as the library lists it; its content lives in immutable versions.
/// Global scenarios (no organisation) are visible to every organisation.</summary>
public sealed class Scenario
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid? OrganisationId { get; set; }

    public Organisation? Organisation { get; set; }

    /// <summary>The id from the package's manifest (<c>n-plus-one</c>).</summary>
    public required string Slug { get; set; }

    public required string Title { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public List<ScenarioVersion> Versions { get; set; } = [];
}

/// <summary>One immutable version of a scenario, identified by the content hash of its package.</summary>
public sealed class ScenarioVersion
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid ScenarioId { get; set; }

    public Scenario? Scenario { get; set; }

    /// <summary>Lower-case hex SHA-256 over the package's canonical form.</summary>
    public required string ContentHash { get; set; }

    /// <summary>The author's label from the manifest (<c>1.2</c>); informative, the hash is the identity.</summary>
    public required string Label { get; set; }

    /// <summary>The parsed manifest as JSON, so pages can show it without unpacking the package.</summary>
    public required string Manifest { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>Set once the version verified (template fails, solution passes); only then can it be assigned.</summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    public ScenarioArchive? Archive { get; set; }
}

/// <summary>The package bytes, stored by content hash so that any worker on any machine can
/// read the exact version it grades. Shared by every version row with the same hash.</summary>
public sealed class ScenarioArchive
{
    public required string ContentHash { get; set; }

    /// <summary>A tar archive of the package in its canonical order.</summary>
    public required byte[] Archive { get; set; }

    public long SizeBytes { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>A version's manifest as the importer stored it (<see cref="ScenarioVersion.Manifest"/>).</summary>
public static class StoredManifest
{
    /// <summary>The manifest; null when the row was written some other way and does not read,
    /// which a page says rather than fail on.</summary>
    public static Assessments.Scenarios.Manifest.ScenarioManifest? TryRead(string json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<Assessments.Scenarios.Manifest.ScenarioManifest>(json, System.Text.Json.JsonSerializerOptions.Web);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
