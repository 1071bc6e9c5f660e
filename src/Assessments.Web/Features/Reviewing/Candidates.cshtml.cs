using Assessments.Web.Features.Account;
using Assessments.Web.Features.Scoring;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Reviewing;

/// <summary><c>/scenarios/{scenario}/candidates</c>: every assessment of one scenario version the
/// caller can see, in one table (weighted score, recommendations, primary metric ratio, hidden
/// tests passed, time to the first and the final push, findings), sortable and filterable, with
/// the spread of scores and of the primary metric drawn, a chosen candidate marked. Blinding and
/// the independence of reviews apply per row, as on the list. <c>?handler=csv</c> exports the
/// same rows.</summary>
public sealed class CandidatesModel(AssessmentsDbContext db, ReviewAssignments assignments) : PageModel
{
    /// <summary>The columns a reader can sort by, as they appear in the URL.</summary>
    public static readonly IReadOnlyList<string> SortKeys = ["candidate", "status", "score", "ratio", "hidden", "first-push", "final-push", "findings"];

    /// <summary>One assessment of the scenario version, as the table shows it.</summary>
    public sealed class CandidateRow
    {
        public Guid Id { get; init; }

        public string? CandidateName { get; init; }

        public bool Blind { get; init; }

        public string Candidate => Blind ? Blinding.Pseudonym(Id) : CandidateName ?? "";

        public AssessmentStatus Status { get; init; }

        public HiringDecision? Decision { get; init; }

        public bool ReviewsVisible { get; init; }

        /// <summary>Mean of the submitted reviews' weighted scores, when the reader may see them.</summary>
        public double? Score { get; init; }

        public int ReviewsSubmitted { get; init; }

        public List<Recommendation> Recommendations { get; init; } = [];

        public string? MetricKey { get; init; }

        public string? MetricUnit { get; init; }

        public double? MetricBaseline { get; init; }

        public double? MetricCandidate { get; init; }

        /// <summary>Candidate over baseline: below 1 is fewer (better for a lower-is-better metric).</summary>
        public double? Ratio { get; init; }

        public int HiddenPassed { get; init; }

        public int HiddenTotal { get; init; }

        public DateTimeOffset? StartedAt { get; init; }

        public DateTimeOffset? FirstPushAt { get; init; }

        public DateTimeOffset? FinalPushAt { get; init; }

        public TimeSpan? ToFirstPush => FirstPushAt - StartedAt;

        public TimeSpan? ToFinalPush => FinalPushAt - StartedAt;

        public int Findings { get; init; }
    }

    [BindProperty(SupportsGet = true)]
    public Guid? Version { get; set; }

    [BindProperty(SupportsGet = true)]
    public AssessmentStatus? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Sort { get; set; } = "score";

    [BindProperty(SupportsGet = true)]
    public bool Desc { get; set; } = true;

    /// <summary>The candidate marked on the charts.</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Selected { get; set; }

    public string ScenarioSlug { get; private set; } = "";

    public string ScenarioTitle { get; private set; } = "";

    public IReadOnlyList<(Guid Id, string Label, int Assessments)> Versions { get; private set; } = [];

    public string? MetricKey { get; private set; }

    public IReadOnlyList<CandidateRow> Rows { get; private set; } = [];

    /// <summary>The members an admin may assign: the admins and reviewers of the organisations the
    /// caller administers; empty for everyone else.</summary>
    public IReadOnlyList<(Guid Id, string Name)> Assignable { get; private set; } = [];

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(string scenario, CancellationToken cancellationToken) =>
        await LoadAsync(scenario, cancellationToken) ? Page() : NotFound();

    /// <summary>An admin assigns reviewers to every open assessment of the scenario.</summary>
    public async Task<IActionResult> OnPostAssignAsync(string scenario, Guid[] reviewers, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(scenario, cancellationToken))
        {
            return NotFound();
        }

        if (Assignable.Count == 0)
        {
            return Forbid();
        }

        var admin = await db.Users.SingleAsync(u => u.Id == User.UserId(), cancellationToken);
        var changed = await assignments.AssignToScenarioAsync(scenario, reviewers, admin, cancellationToken);
        // Assigning changes nothing the page shows (scores and recommendations come from submitted reviews).
        Message = changed == 0 ? "Nothing to change: those reviewers were on every open assessment already." : $"Assigned to {changed} {(changed == 1 ? "assessment" : "assessments")} of {ScenarioTitle}.";
        return Page();
    }

    /// <summary>The table as CSV, one row per candidate, blinded as the page is.</summary>
    public async Task<IActionResult> OnGetCsvAsync(string scenario, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(scenario, cancellationToken))
        {
            return NotFound();
        }

        var csv = Csv.Write(
            ["candidate", "status", "decision", "score", "reviews_submitted", "recommendations", $"{MetricKey ?? "primary_metric"}_baseline", $"{MetricKey ?? "primary_metric"}_candidate", "ratio", "hidden_passed", "hidden_total", "minutes_to_first_push", "minutes_to_final_push", "findings", "assessment_id"],
            Rows.Select(r => new string?[]
            {
                r.Candidate,
                Formats.Words(r.Status),
                r.Decision is null ? null : HiringDecisions.Words(r.Decision),
                Csv.Number(r.Score),
                r.ReviewsSubmitted.ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join("; ", r.Recommendations.Select(x => ReviewRules.Words(x))),
                Csv.Number(r.MetricBaseline),
                Csv.Number(r.MetricCandidate),
                Csv.Number(r.Ratio),
                r.HiddenPassed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.HiddenTotal.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Csv.Number(r.ToFirstPush?.TotalMinutes),
                Csv.Number(r.ToFinalPush?.TotalMinutes),
                r.Findings.ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.Id.ToString(),
            }));
        return File(csv, "text/csv; charset=utf-8", $"{ScenarioSlug}-candidates.csv");
    }

    private async Task<bool> LoadAsync(string scenario, CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        Sort = SortKeys.Contains(Sort) ? Sort : "score";
        var ofScenario = db.Assessments.AsNoTracking().VisibleTo(db, userId).Where(a => a.ScenarioVersion!.Scenario!.Slug == scenario);

        // 1: the versions the caller has assessments of, newest first.
        var versions = await ofScenario
            .GroupBy(a => new { a.ScenarioVersionId, a.ScenarioVersion!.Label, a.ScenarioVersion.CreatedAt, a.ScenarioVersion.Scenario!.Title })
            .Select(g => new { g.Key.ScenarioVersionId, g.Key.Label, g.Key.CreatedAt, g.Key.Title, Count = g.Count() })
            .OrderByDescending(v => v.CreatedAt)
            .ToListAsync(cancellationToken);
        if (versions.Count == 0)
        {
            return false;
        }

        ScenarioSlug = scenario;
        ScenarioTitle = versions[0].Title;
        Versions = versions.Select(v => (v.ScenarioVersionId, v.Label, v.Count)).ToList();
        Version = versions.Any(v => v.ScenarioVersionId == Version) ? Version : versions[0].ScenarioVersionId;
        var chosen = ofScenario.Where(a => a.ScenarioVersionId == Version);
        if (Status is { } only)
        {
            chosen = chosen.Where(a => a.Status == only);
        }

        // 2: every row, with what this reader may see of it.
        var rows =
            from v in AssessmentRows.ReadBy(db, chosen, userId)
            let a = v.Assessment
            let l = a.Listing
            let latest = l == null ? null : l.LatestGradingRunId
            select new CandidateRow
            {
                Id = a.Id,
                CandidateName = v.Blind ? null : a.Candidate!.Name,
                Blind = v.Blind,
                Status = a.Status,
                Decision = a.Decision,
                ReviewsVisible = v.ReviewsVisible,
                Score = v.ReviewsVisible ? db.Reviews.Where(r => r.AssessmentId == a.Id && r.SubmittedAt != null).Average(r => r.Score) : null,
                ReviewsSubmitted = db.Reviews.Count(r => r.AssessmentId == a.Id && r.SubmittedAt != null),
                Recommendations = db.Reviews
                    .Where(r => v.ReviewsVisible && r.AssessmentId == a.Id && r.SubmittedAt != null && r.Recommendation != null)
                    .OrderBy(r => r.SubmittedAt).Select(r => r.Recommendation!.Value).ToList(),
                MetricKey = l == null ? null : l.PrimaryMetricKey,
                MetricUnit = l == null ? null : l.PrimaryMetricUnit,
                MetricBaseline = l == null ? null : l.PrimaryBaseline,
                MetricCandidate = l == null ? null : l.PrimaryCandidate,
                Ratio = l == null || l.PrimaryBaseline == null || l.PrimaryBaseline == 0 ? null : l.PrimaryCandidate / l.PrimaryBaseline,
                HiddenPassed = db.TestResults.Count(t => t.GradingRunId == latest && t.Visibility == TestResultVisibility.Hidden && t.Status == TestResultStatus.Pass),
                HiddenTotal = db.TestResults.Count(t => t.GradingRunId == latest && t.Visibility == TestResultVisibility.Hidden),
                StartedAt = a.StartedAt,
                FirstPushAt = a.Submissions.Min(s => (DateTimeOffset?)s.ReceivedAt),
                FinalPushAt = a.Submissions.Where(s => s.IsFinal).Select(s => (DateTimeOffset?)s.ReceivedAt).FirstOrDefault()
                    ?? a.Submissions.Max(s => (DateTimeOffset?)s.ReceivedAt),
                Findings = db.Findings.Count(f => f.GradingRunId == latest),
            };
        var loaded = await rows.ToListAsync(cancellationToken);
        MetricKey = loaded.Select(r => r.MetricKey).FirstOrDefault(k => k is not null);
        Rows = Order(loaded);
        var members = await db.Memberships.AsNoTracking()
            .Where(m => (m.Role == OrganisationRole.Admin || m.Role == OrganisationRole.Reviewer)
                        && db.Memberships.Any(mine => mine.UserId == userId && mine.Role == OrganisationRole.Admin && mine.OrganisationId == m.OrganisationId))
            .Select(m => new { m.UserId, m.User!.DisplayName, m.User.Email })
            .Distinct()
            .OrderBy(m => m.DisplayName)
            .ToListAsync(cancellationToken);
        Assignable = members.Select(m => (m.UserId, m.DisplayName == "" ? m.Email! : m.DisplayName)).ToList();
        return true;
    }

    /// <summary>In memory: one version's candidates are a hiring round, tens of rows, not thousands.</summary>
    private List<CandidateRow> Order(List<CandidateRow> rows)
    {
        Func<CandidateRow, object?> key = Sort switch
        {
            "candidate" => r => r.Blind ? r.Id.ToString() : r.CandidateName,
            "status" => r => r.Status,
            "ratio" => r => r.Ratio,
            "hidden" => r => r.HiddenPassed,
            "first-push" => r => r.ToFirstPush,
            "final-push" => r => r.ToFinalPush,
            "findings" => r => r.Findings,
            _ => r => r.Score,
        };
        // Rows without the value go last either way.
        var with = rows.Where(r => key(r) is not null);
        var ordered = Desc ? with.OrderByDescending(key) : with.OrderBy(key);
        return [.. ordered.ThenBy(r => r.Id), .. rows.Where(r => key(r) is null).OrderBy(r => r.Id)];
    }

    /// <summary>This page's address with some values changed.</summary>
    public string Link(string? sort = null, bool? desc = null, Guid? selected = null, bool keepSelected = true, string? handler = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["version"] = Version?.ToString(),
            ["status"] = Status?.ToString(),
            ["sort"] = sort ?? Sort,
            ["desc"] = (desc ?? Desc) ? "true" : "false",
            ["selected"] = (selected ?? (keepSelected ? Selected : null))?.ToString(),
            ["handler"] = handler,
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"/scenarios/{ScenarioSlug}/candidates", query.Where(q => q.Value is not null)!);
    }

    public string SortLink(string column) => Link(sort: column, desc: column == Sort ? !Desc : column is "score" or "hidden");
}
