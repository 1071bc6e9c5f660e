using Assessments.Web.Features.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Lifecycle;

/// <summary><c>/assessments/invite</c>: an admin invites one candidate, or many from a CSV file.
/// A file is previewed first: each row with what is wrong with it (no name, not an address, twice
/// in the file, invited to this scenario already), and nothing is sent until the admin sends the
/// rows that are right. Every invitation goes through the lifecycle, so the verified-version rule
/// and the audit apply as on the command line; each link is shown once.</summary>
[RequestSizeLimit(1024 * 1024)]
public sealed class InviteModel(AssessmentsDbContext db, AssessmentLifecycle lifecycle) : PageModel
{
    /// <summary>The terms every invitation of one form gets.</summary>
    public sealed class Terms
    {
        public Guid Organisation { get; set; }

        public string Scenario { get; set; } = "";

        /// <summary>Hours from the start; with a deadline, the earlier end wins.</summary>
        public double? TimeLimitHours { get; set; }

        /// <summary>A fixed end, read as UTC.</summary>
        public DateTime? DeadlineUtc { get; set; }

        public RepositoryHost Host { get; set; } = RepositoryHost.BuiltIn;
    }

    /// <summary>A row of a previewed file, with what stops it.</summary>
    public sealed record PreviewRow(CandidateRow Row, IReadOnlyList<string> Problems)
    {
        public bool Sendable => Problems.Count == 0;
    }

    /// <summary>What happened to one invitation sent.</summary>
    public sealed record Sent(string Name, string Email, string? Link, string Outcome, bool Ok);

    [BindProperty]
    public Terms Form { get; set; } = new();

    public IReadOnlyList<(Guid Id, string Name, string Slug)> Organisations { get; private set; } = [];

    /// <summary>The scenarios the caller's organisations may invite to, by slug.</summary>
    public IReadOnlyList<(string Slug, string Title)> Scenarios { get; private set; } = [];

    public IReadOnlyList<PreviewRow> Preview { get; private set; } = [];

    public IReadOnlyList<Sent> Results { get; private set; } = [];

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : Forbid();

    /// <summary>One candidate, sent at once.</summary>
    public async Task<IActionResult> OnPostSingleAsync(string? name, string? email, string? github, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return Forbid();
        }

        if (TermsProblem() is { } terms)
        {
            return Unprocessable(terms);
        }

        var row = new CandidateRow(0, name?.Trim() ?? "", email?.Trim() ?? "", github?.Trim() is { Length: > 0 } login ? login : null);
        var problems = (await CheckAsync([row], cancellationToken))[0].Problems;
        if (problems.Count > 0)
        {
            return Unprocessable(string.Join(" ", problems));
        }

        Results = [await SendAsync(row, await ActorAsync(cancellationToken), cancellationToken)];
        return Results[0].Ok ? Page() : Unprocessable(null);
    }

    /// <summary>A file, read and checked row by row; nothing is sent.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(IFormFile? candidates, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return Forbid();
        }

        if (TermsProblem() is { } terms)
        {
            return Unprocessable(terms);
        }

        if (candidates is null || candidates.Length == 0)
        {
            return Unprocessable("Choose a CSV file with the columns name, email and (optionally) github.");
        }

        IReadOnlyList<CandidateRow> rows;
        try
        {
            using var reader = new StreamReader(candidates.OpenReadStream());
            rows = CandidateCsv.Read(await reader.ReadToEndAsync(cancellationToken));
        }
        catch (CandidateCsvException e)
        {
            return Unprocessable($"{Path.GetFileName(candidates.FileName)}: {e.Message}");
        }

        Preview = await CheckAsync(rows, cancellationToken);
        return Page();
    }

    /// <summary>The previewed rows, sent back from the preview: checked again (someone may have
    /// invited one meanwhile), and the ones still right are sent.</summary>
    public async Task<IActionResult> OnPostSendAsync(int[] line, string[] rowName, string[] rowEmail, string?[] rowGitHub, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return Forbid();
        }

        if (TermsProblem() is { } terms)
        {
            return Unprocessable(terms);
        }

        if (line.Length == 0 || line.Length != rowName.Length || line.Length != rowEmail.Length || line.Length != rowGitHub.Length)
        {
            return Unprocessable("Nothing to send: preview a file first.");
        }

        var rows = line.Select((l, i) => new CandidateRow(l, rowName[i], rowEmail[i], string.IsNullOrWhiteSpace(rowGitHub[i]) ? null : rowGitHub[i])).ToList();
        var checkedRows = await CheckAsync(rows, cancellationToken);
        var actor = await ActorAsync(cancellationToken);
        var results = new List<Sent>();
        foreach (var row in checkedRows)
        {
            results.Add(row.Sendable
                ? await SendAsync(row.Row, actor, cancellationToken)
                : new Sent(row.Row.Name, row.Row.Email, null, "not sent: " + string.Join(" ", row.Problems), false));
        }

        Results = results;
        return Page();
    }

    /// <summary>Who the audit names: the signed-in admin's address.</summary>
    private async Task<string> ActorAsync(CancellationToken cancellationToken) =>
        await db.Users.Where(u => u.Id == User.UserId()).Select(u => u.Email).SingleAsync(cancellationToken) ?? User.UserId().ToString();

    private async Task<Sent> SendAsync(CandidateRow row, string actor, CancellationToken cancellationToken)
    {
        var slug = Organisations.Single(o => o.Id == Form.Organisation).Slug;
        try
        {
            var invitation = await lifecycle.InviteAsync(
                new InvitationRequest(
                    Form.Scenario,
                    row.Email,
                    row.Name,
                    row.GitHub,
                    slug,
                    Form.Host,
                    Form.DeadlineUtc is { } deadline ? new DateTimeOffset(DateTime.SpecifyKind(deadline, DateTimeKind.Utc)) : null,
                    Form.TimeLimitHours is { } hours ? TimeSpan.FromHours(hours) : null),
                actor,
                cancellationToken);
            return new Sent(row.Name, row.Email, invitation.Link, invitation.Mail, true);
        }
        catch (AssessmentStateException e)
        {
            db.ChangeTracker.Clear();
            return new Sent(row.Name, row.Email, null, e.Message, false);
        }
    }

    /// <summary>What stops each row: its own fields, a second row with the same address, and an
    /// open or finished assessment of the same scenario for that address in the organisation
    /// (a revoked one does not count).</summary>
    private async Task<IReadOnlyList<PreviewRow>> CheckAsync(IReadOnlyList<CandidateRow> rows, CancellationToken cancellationToken)
    {
        var emails = rows.Select(r => r.Email.Trim().ToLowerInvariant()).ToList();
        var invited = (await db.Assessments.AsNoTracking()
                .Where(a => a.OrganisationId == Form.Organisation
                    && a.ScenarioVersion!.Scenario!.Slug == Form.Scenario
                    && a.Status != AssessmentStatus.Cancelled
                    && emails.Contains(a.Candidate!.Email))
                .Select(a => a.Candidate!.Email)
                .ToListAsync(cancellationToken))
            .ToHashSet();
        var firstLine = new Dictionary<string, int>();
        return [.. rows.Select((row, i) =>
        {
            var problems = new List<string>();
            if (row.Name.Length == 0)
            {
                problems.Add("No name.");
            }

            if (!AssessmentLifecycle.IsEmail(row.Email))
            {
                problems.Add(row.Email.Length == 0 ? "No email address." : $"'{row.Email}' is not an email address.");
            }
            else if (firstLine.TryGetValue(emails[i], out var first))
            {
                problems.Add($"The same address as line {first}.");
            }
            else
            {
                firstLine[emails[i]] = row.Line;
                if (invited.Contains(emails[i]))
                {
                    problems.Add($"Invited to {Form.Scenario} already.");
                }
            }

            if (row.GitHub is { } login && !GitHub.GitHubLogin.IsValid(login))
            {
                problems.Add($"'{login}' is not a GitHub login.");
            }

            return new PreviewRow(row, problems);
        })];
    }

    /// <summary>What is missing from the terms every invitation of the form gets, or null.</summary>
    private string? TermsProblem() =>
        Scenarios.All(s => s.Slug != Form.Scenario) ? "Choose a scenario."
        : Form.TimeLimitHours is null && Form.DeadlineUtc is null ? "Give a time limit, a deadline or both."
        : Form.TimeLimitHours is <= 0 or > 24 * 30 ? "The time limit is in hours, more than 0 and at most 720."
        : null;

    private PageResult Unprocessable(string? error)
    {
        Error = error;
        return new PageResult { StatusCode = StatusCodes.Status422UnprocessableEntity };
    }

    /// <summary>False when the caller administers no organisation. Checks the form's organisation
    /// and scenario against what the caller may use.</summary>
    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        Organisations = (await db.Memberships.AsNoTracking()
                .Where(m => m.UserId == userId && m.Role == OrganisationRole.Admin)
                .OrderBy(m => m.Organisation!.Name)
                .Select(m => new { m.OrganisationId, m.Organisation!.Name, m.Organisation.Slug })
                .ToListAsync(cancellationToken))
            .Select(m => (m.OrganisationId, m.Name, m.Slug)).ToList();
        if (Organisations.Count == 0)
        {
            return false;
        }

        if (Organisations.All(o => o.Id != Form.Organisation))
        {
            Form.Organisation = Organisations[0].Id;
        }

        Scenarios = (await db.Scenarios.AsNoTracking()
                .Where(s => s.OrganisationId == null || s.OrganisationId == Form.Organisation)
                .Where(s => s.Versions.Any())
                .OrderBy(s => s.Title)
                .Select(s => new { s.Slug, s.Title })
                .ToListAsync(cancellationToken))
            .Select(s => (s.Slug, s.Title)).DistinctBy(s => s.Slug).ToList();
        return true;
    }
}
