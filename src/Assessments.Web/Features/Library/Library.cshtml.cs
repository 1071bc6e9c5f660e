using System.Text.Json;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;
using Assessments.Web.Features.Account;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Features.Verification;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Library;

/// <summary><c>/scenarios</c>: the scenario library the caller's organisations can use (the
/// built-in scenarios and their own), each with its versions and where each version stands on the
/// workers' current sandbox image: when it was verified, on which image, the template's failures,
/// the solution's pass, each variant's outcome and the primary metric before → after. Admins and
/// authors verify a version from here (a running verification's stages arrive live) and bring
/// packages into their organisation's library.</summary>
// Razor Pages take request limits on the page, not on a handler.
[RequestSizeLimit(LibraryModel.UploadRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = LibraryModel.UploadRequestBytes)]
public sealed class LibraryModel(AssessmentsDbContext db, VerificationQueue queue, ScenarioImporter importer, PackageRepositories repositories, IOptions<PackageUploadLimits> uploadLimits) : PageModel
{
    /// <summary>How many versions of a scenario the page lists, newest first.</summary>
    public const int VersionsShown = 5;

    /// <summary>The request a form with a package may be: above the default archive limit, so
    /// that limit (configurable, and checked as the upload is read) says what is wrong.</summary>
    internal const long UploadRequestBytes = 64 * 1024 * 1024;

    public sealed record ScenarioRow(
        Guid Id,
        string Slug,
        string Title,
        string Owner,
        string Summary,
        ScenarioLevel? Level,
        TimeSpan? SuggestedTime,
        IReadOnlyList<string> Skills,
        bool MayVerify,
        IReadOnlyList<VersionRow> Versions);

    /// <param name="Usable">Verified on the image the workers run now: invitations get it.</param>
    public sealed record VersionRow(Guid Id, string Label, string Hash, DateTimeOffset ImportedAt, bool Usable, VerificationView? Latest);

    public sealed record VerificationView(
        Guid Id,
        ScenarioVerificationStatus Status,
        string? ImageId,
        bool OnCurrentImage,
        string RequestedBy,
        DateTimeOffset RequestedAt,
        DateTimeOffset? FinishedAt,
        IReadOnlyList<string> Problems,
        string? Error,
        IReadOnlyList<GradingView> Gradings)
    {
        public bool IsLive => Status is ScenarioVerificationStatus.Queued or ScenarioVerificationStatus.Running;
    }

    /// <summary>One grading of a verification as the page sums it up.</summary>
    public sealed record GradingView(
        Guid Id,
        string Subject,
        GradingStatus Status,
        GradingVerdict? Verdict,
        int HiddenTotal,
        int HiddenFailing,
        string? PrimaryKey,
        double? PrimaryBaseline,
        double? PrimaryCandidate);

    public SandboxImageRecord? CurrentImage { get; private set; }

    /// <summary>The organisations whose library the caller may add packages to (admin or author there).</summary>
    public IReadOnlyList<(Guid Id, string Name)> UploadOrganisations { get; private set; } = [];

    /// <summary>Why the uploaded package was not imported: the refusal, or every validation error.</summary>
    public IReadOnlyList<string> UploadErrors { get; private set; } = [];

    public IReadOnlyList<ScenarioRow> Scenarios { get; private set; } = [];

    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>"Verify now": queues the version's verification (or finds the one already waiting).</summary>
    public async Task<IActionResult> OnPostVerifyAsync(Guid version, CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        var target = await db.ScenarioVersions.AsNoTracking()
            .Where(v => v.Id == version && db.Scenarios.VisibleTo(db, userId).Any(s => s.Id == v.ScenarioId))
            .Select(v => new { v.Id, v.Label, v.Scenario!.Title, MayVerify = db.Scenarios.AuthoredBy(db, userId).Any(s => s.Id == v.ScenarioId) })
            .SingleOrDefaultAsync(cancellationToken);
        if (target is null)
        {
            return NotFound();
        }

        if (!target.MayVerify)
        {
            return Forbid();
        }

        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(cancellationToken) ?? userId.ToString();
        var (verification, isNew) = await queue.QueueAsync(target.Id, email, cancellationToken);
        Message = isNew
            ? $"{target.Title} {target.Label}: verification queued on the workers."
            : $"{target.Title} {target.Label}: a verification is already {(verification.Status == ScenarioVerificationStatus.Running ? "running" : "waiting")}; it is shown below.";
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>An admin or author brings in a package: read within the upload limits (hostile
    /// archives refused), validated like <c>assess scenario validate</c> with every error shown,
    /// and imported as a version of the organisation's own library, to verify before use.</summary>
    public async Task<IActionResult> OnPostUploadAsync(IFormFile? package, Guid? organisation, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (UploadOrganisations.Count == 0)
        {
            return Forbid();
        }

        if (Target(organisation) is not { } target)
        {
            return Refused(organisation is null ? "Choose the organisation whose library the package goes into." : "You may not add packages to that organisation's library.");
        }

        if (package is null || package.Length == 0)
        {
            return Refused("Choose a package archive (.tar.gz or .zip) to upload.");
        }

        var display = Path.GetFileName(package.FileName) is { Length: > 0 } file ? file : "upload";
        IReadOnlyList<PackageFile> files;
        try
        {
            await using var stream = package.OpenReadStream();
            files = await PackageUpload.ReadAsync(stream, uploadLimits.Value, cancellationToken);
        }
        catch (PackageUploadException e)
        {
            return Refused($"{display}: refused: {e.Message}.");
        }

        return await ImportAsync(files, display, target, cancellationToken);
    }

    /// <summary>An admin or author names a repository on the allow-list and a branch, tag or
    /// commit: that commit's package is fetched, validated and imported like an upload.</summary>
    public async Task<IActionResult> OnPostGitAsync(string? url, string? gitRef, Guid? organisation, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (UploadOrganisations.Count == 0)
        {
            return Forbid();
        }

        if (Target(organisation) is not { } target)
        {
            return Refused(organisation is null ? "Choose the organisation whose library the package goes into." : "You may not add packages to that organisation's library.");
        }

        if (string.IsNullOrWhiteSpace(url) || string.IsNullOrWhiteSpace(gitRef))
        {
            return Refused("Name the repository's https URL and the branch, tag or commit to import.");
        }

        PackageRepositories.Fetched fetched;
        try
        {
            fetched = await repositories.FetchAsync(url, gitRef, cancellationToken);
        }
        catch (PackageRepositoryException e)
        {
            return Refused($"{url.Trim()} {gitRef.Trim()}: refused: {e.Message}");
        }

        return await ImportAsync(fetched.Files, $"{url.Trim()}@{fetched.Commit[..12]}", target, cancellationToken);
    }

    /// <summary>The organisation a package goes into: the one chosen, or the only one the caller may add to.</summary>
    private (Guid Id, string Name)? Target(Guid? organisation) =>
        organisation is { } chosen ? UploadOrganisations.Where(o => o.Id == chosen).Select(o => ((Guid, string)?)o).FirstOrDefault()
        : UploadOrganisations.Count == 1 ? UploadOrganisations[0]
        : null;

    /// <summary>Validates the files like <c>assess scenario validate</c> (every error, by file and
    /// line) and imports a valid package as a version of the organisation's own library.</summary>
    private async Task<IActionResult> ImportAsync(IReadOnlyList<PackageFile> files, string display, (Guid Id, string Name) target, CancellationToken cancellationToken)
    {
        var loaded = ScenarioPackage.LoadFiles(files, display);
        if (loaded.Package is not { } valid)
        {
            return Refused([.. loaded.Errors.Select(e => e.ToString())]);
        }

        var email = await db.Users.Where(u => u.Id == User.UserId()).Select(u => u.Email).SingleAsync(cancellationToken) ?? User.UserId().ToString();
        try
        {
            var imported = await importer.ImportAsync(valid, target.Id, email, cancellationToken);
            Message = imported.NewVersion
                ? $"Imported {valid.Manifest.Title} {valid.Manifest.Version} ({valid.ContentHash[..12]}) into {target.Name}'s library. Verify it before inviting candidates to it."
                : $"{valid.Manifest.Title} {valid.Manifest.Version} ({valid.ContentHash[..12]}) is in {target.Name}'s library already: the same content is the same version.";
        }
        catch (ScenarioImportException e)
        {
            return Refused($"{display}/{e.Message}");
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>The page again with what stopped the upload, answered 422 so a script can tell.</summary>
    private PageResult Refused(params string[] errors)
    {
        UploadErrors = errors;
        var page = Page();
        page.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return page;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        var me = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(cancellationToken);
        CurrentImage = await db.CurrentSandboxImageAsync(cancellationToken);
        var authored = await db.Scenarios.AuthoredBy(db, userId).Select(s => s.Id).ToListAsync(cancellationToken);
        UploadOrganisations = (await db.Memberships.AsNoTracking()
                .Where(m => m.UserId == userId && (m.Role == OrganisationRole.Admin || m.Role == OrganisationRole.Author))
                .OrderBy(m => m.Organisation!.Name)
                .Select(m => new { m.OrganisationId, m.Organisation!.Name })
                .ToListAsync(cancellationToken))
            .Select(m => (m.OrganisationId, m.Name)).ToList();
        var scenarios = await db.Scenarios.AsNoTracking().VisibleTo(db, userId)
            .OrderBy(s => s.Title)
            .Select(s => new
            {
                s.Id,
                s.Slug,
                s.Title,
                BuiltIn = s.OrganisationId == null,
                Owner = s.Organisation == null ? "built-in" : s.Organisation.Name,
                Versions = s.Versions.OrderByDescending(v => v.CreatedAt).Take(VersionsShown)
                    .Select(v => new { v.Id, v.Label, v.ContentHash, v.CreatedAt, v.Manifest }).ToList(),
            })
            .ToListAsync(cancellationToken);

        var versionIds = scenarios.SelectMany(s => s.Versions.Select(v => v.Id)).ToList();
        var verifications = await db.ScenarioVerifications.AsNoTracking()
            .Where(v => versionIds.Contains(v.ScenarioVersionId))
            .ToListAsync(cancellationToken);
        var latest = verifications.GroupBy(v => v.ScenarioVersionId).ToDictionary(g => g.Key, g => g.MaxBy(v => v.RequestedAt)!);
        var usable = CurrentImage is null ? [] : verifications
            .Where(v => v.Status == ScenarioVerificationStatus.Verified && v.ImageId == CurrentImage.ImageId)
            .Select(v => v.ScenarioVersionId).ToHashSet();
        var gradings = await GradingsAsync([.. latest.Values.Select(v => v.Id)], cancellationToken);

        Scenarios = [.. scenarios.Where(s => s.Versions.Count > 0).Select(s =>
        {
            var manifest = StoredManifest.TryRead(s.Versions[0].Manifest);
            return new ScenarioRow(s.Id, s.Slug, s.Title, s.Owner,
                manifest?.Summary ?? "The newest version's stored manifest does not read: import the package again.",
                manifest?.Level, manifest?.SuggestedTime, manifest?.Skills ?? [], authored.Contains(s.Id),
                [.. s.Versions.Select(v => new VersionRow(v.Id, v.Label, v.ContentHash, v.CreatedAt, usable.Contains(v.Id),
                    latest.TryGetValue(v.Id, out var x) ? View(x, gradings, s.BuiltIn && x.RequestedBy != me && x.RequestedBy != "cli") : null))]);
        })];
    }

    /// <param name="anotherOrganisations">A built-in scenario is verified for every organisation:
    /// who asked is not named to the others.</param>
    private VerificationView View(ScenarioVerification v, ILookup<Guid, GradingView> gradings, bool anotherOrganisations) =>
        new(v.Id, v.Status, v.ImageId, CurrentImage is not null && v.ImageId == CurrentImage.ImageId,
            anotherOrganisations ? "another member" : v.RequestedBy, v.RequestedAt, v.FinishedAt, v.Problems, v.Error,
            [.. gradings[v.Id].OrderBy(g => Order(g.Subject)).ThenBy(g => g.Subject, StringComparer.Ordinal)]);

    private static int Order(string subject) => subject switch { "template" => 0, "solution" => 1, _ => 2 };

    private async Task<ILookup<Guid, GradingView>> GradingsAsync(List<Guid> verificationIds, CancellationToken cancellationToken)
    {
        var rows = await db.GradingRuns.AsNoTracking()
            .Where(r => r.VerificationId != null && verificationIds.Contains(r.VerificationId.Value))
            .Select(r => new
            {
                VerificationId = r.VerificationId!.Value,
                View = new GradingView(
                    r.Id,
                    r.Subject!,
                    r.Status,
                    r.Verdict,
                    r.Tests.Count(t => t.Visibility == TestResultVisibility.Hidden),
                    r.Tests.Count(t => t.Visibility == TestResultVisibility.Hidden && t.Status != TestResultStatus.Pass),
                    r.Metrics.Where(m => m.IsPrimary).Select(m => m.Key).FirstOrDefault(),
                    r.Metrics.Where(m => m.IsPrimary).Select(m => m.BaselineValue).FirstOrDefault(),
                    r.Metrics.Where(m => m.IsPrimary).Select(m => m.CandidateValue).FirstOrDefault()),
            })
            .ToListAsync(cancellationToken);
        return rows.ToLookup(r => r.VerificationId, r => r.View);
    }
}
