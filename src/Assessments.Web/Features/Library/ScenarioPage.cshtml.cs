using System.Text;
using System.Text.Json;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;
using Assessments.Web.Features.Account;
using Assessments.Web.Features.Git;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Library;

/// <summary><c>/scenarios/{scenario}</c>: one scenario of the caller's library as a hiring team
/// weighs it before inviting anyone: the brief as the candidate reads it, the rubric, the declared
/// metrics, the template the candidate is given (browsable, file by file), where the version stands
/// on the workers' image, and how many candidates took it. The hidden tests are named only to the
/// scenario's admins and authors: reviewers see them on the reports they score, not as a list to
/// pass around.</summary>
public sealed class ScenarioPageModel(AssessmentsDbContext db) : PageModel
{
    /// <summary>A template file larger than this is listed but not shown.</summary>
    public const int ShownFileBytes = 256 * 1024;

    public sealed record VersionOption(Guid Id, string Label, string Hash, DateTimeOffset ImportedAt);

    /// <summary>A template file as the tree lists it.</summary>
    public sealed record TemplateEntry(string Path, long Bytes)
    {
        public string Folder => Path.LastIndexOf('/') is var slash and > 0 ? Path[..slash] : "";

        public string Name => Path[(Path.LastIndexOf('/') + 1)..];
    }

    /// <summary>The file opened in the tree: its text, or why it is not shown.</summary>
    public sealed record OpenedFile(string Path, string? Text, string? NotShown);

    [BindProperty(SupportsGet = true)]
    public Guid? Version { get; set; }

    [BindProperty(SupportsGet = true, Name = "file")]
    public string? FilePath { get; set; }

    public string Slug { get; private set; } = "";

    public string Title { get; private set; } = "";

    public string Owner { get; private set; } = "";

    public IReadOnlyList<VersionOption> Versions { get; private set; } = [];

    public VersionOption Shown { get; private set; } = null!;

    /// <summary>Null when the stored manifest does not read (a row written some other way).</summary>
    public ScenarioManifest? Manifest { get; private set; }

    /// <summary>The caller is an admin or author of the scenario: the hidden side is theirs to read.</summary>
    public bool MayReadHidden { get; private set; }

    public VersionVerificationState State { get; private set; } = null!;

    public IReadOnlyList<TemplateEntry> Template { get; private set; } = [];

    /// <summary>Why the template is not listed (the stored archive does not read), or null.</summary>
    public string? TemplateProblem { get; private set; }

    public OpenedFile? Opened { get; private set; }

    /// <summary>The caller's organisations' assessments of the scenario, per status, every version.</summary>
    public IReadOnlyList<(AssessmentStatus Status, int Count)> Candidates { get; private set; } = [];

    public int CandidatesOfShownVersion { get; private set; }

    public async Task<IActionResult> OnGetAsync(string scenario, CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        // An organisation's id never equals a built-in one (the importer refuses it); two of the
        // caller's organisations may share one, and then the built-in, then the first by name, is meant.
        var found = await db.Scenarios.AsNoTracking().VisibleTo(db, userId)
            .Where(s => s.Slug == scenario)
            .OrderBy(s => s.OrganisationId != null).ThenBy(s => s.Organisation!.Name)
            .Select(s => new
            {
                s.Id,
                s.Title,
                Owner = s.Organisation == null ? "built-in" : s.Organisation.Name,
                MayReadHidden = db.Scenarios.AuthoredBy(db, userId).Any(a => a.Id == s.Id),
                Versions = s.Versions.OrderByDescending(v => v.CreatedAt)
                    .Select(v => new VersionOption(v.Id, v.Label, v.ContentHash, v.CreatedAt)).ToList(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null || found.Versions.Count == 0 || (Version is { } asked && found.Versions.All(v => v.Id != asked)))
        {
            return NotFound();
        }

        (Slug, Title, Owner, MayReadHidden, Versions) = (scenario, found.Title, found.Owner, found.MayReadHidden, found.Versions);
        Shown = Versions.FirstOrDefault(v => v.Id == Version) ?? Versions[0];
        var stored = await db.ScenarioVersions.AsNoTracking()
            .Where(v => v.Id == Shown.Id).Select(v => v.Manifest).SingleAsync(cancellationToken);
        Manifest = StoredManifest.TryRead(stored);
        State = await db.VerificationStateAsync(Shown.Id, cancellationToken);
        await LoadTemplateAsync(cancellationToken);

        var ofScenario = db.Assessments.AsNoTracking().VisibleTo(db, userId).Where(a => a.ScenarioVersion!.ScenarioId == found.Id);
        var counts = await ofScenario
            .GroupBy(a => new { a.Status, Shown = a.ScenarioVersionId == Shown.Id })
            .Select(g => new { g.Key.Status, g.Key.Shown, Count = g.Count() })
            .ToListAsync(cancellationToken);
        Candidates = [.. counts.GroupBy(c => c.Status).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(c => c.Count)))];
        CandidatesOfShownVersion = counts.Where(c => c.Shown).Sum(c => c.Count);
        return Page();
    }

    /// <summary>Where the tree links a file (and a folder's name back to the whole tree).</summary>
    public string Link(string? file) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"/scenarios/{Slug}", new Dictionary<string, string?>
        {
            ["version"] = Shown.Id == Versions[0].Id ? null : Shown.Id.ToString(),
            ["file"] = file,
        }.Where(p => p.Value is not null)!) + (file is null ? "" : "#file");

    private async Task LoadTemplateAsync(CancellationToken cancellationToken)
    {
        ScenarioPackage package;
        try
        {
            package = await StoredPackages.LoadAsync(db, Shown.Hash, cancellationToken);
        }
        catch (Exception e) when (e is ScenarioValidationException or InvalidOperationException or InvalidDataException or IOException)
        {
            TemplateProblem = $"The stored package of {Shown.Label} ({Shown.Hash[..12]}) does not read, so its template cannot be listed: import it again.";
            return;
        }

        var files = package.TemplateFiles.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        Template = [.. files.Select(f => new TemplateEntry(f.Path, f.Content.Length))];
        if (FilePath is not { Length: > 0 } path)
        {
            return;
        }

        // Only the listed template files open: the path is looked up, never joined to anything.
        var file = files.FirstOrDefault(f => f.Path == path);
        Opened = file switch
        {
            null => new OpenedFile(path, null, "The template has no such file."),
            { Content.Length: > ShownFileBytes } => new OpenedFile(path, null, $"{file.Content.Length / 1024} KiB: too large to show here; it is in every candidate's repository."),
            _ when Array.IndexOf(file.Content, (byte)0) >= 0 => new OpenedFile(path, null, $"A binary file of {file.Content.Length} bytes."),
            _ => new OpenedFile(path, Encoding.UTF8.GetString(file.Content), null),
        };
    }
}
