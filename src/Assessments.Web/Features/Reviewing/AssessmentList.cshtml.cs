using Assessments.Web.Features.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Reviewing;

/// <summary><c>/assessments</c>: every assessment of the caller's organisations, one row each,
/// with filters, sorting and paging that live in the URL. Four SQL statements whatever the number
/// of rows (the counts per status, the page of rows with their listing and reviewers, and the two
/// lists the filters offer); a test counts them. The latest grading that counts is the newest
/// grading of the newest push that has one (a re-grade of an old push does not displace it).</summary>
public sealed class AssessmentListModel(AssessmentsDbContext db) : PageModel
{
    public const int PageSize = 50;

    /// <summary>The columns a reader can sort by, as they appear in the URL.</summary>
    public static readonly IReadOnlyList<string> SortKeys = ["candidate", "scenario", "status", "started", "deadline", "pushes", "verdict", "metric", "score", "reviewers"];

    [BindProperty(SupportsGet = true)]
    public string? Scenario { get; set; }

    [BindProperty(SupportsGet = true)]
    public AssessmentStatus? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Reviewer { get; set; }

    [BindProperty(SupportsGet = true)]
    public GradingVerdict? Verdict { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Sort { get; set; } = "started";

    [BindProperty(SupportsGet = true)]
    public bool Desc { get; set; } = true;

    // Not "page": Razor Pages keep that route value for the page's own name.
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<AssessmentRow> Rows { get; private set; } = [];

    /// <summary>How many assessments have each status under the other filters.</summary>
    public IReadOnlyDictionary<AssessmentStatus, int> Counts { get; private set; } = new Dictionary<AssessmentStatus, int>();

    public int Total { get; private set; }

    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public IReadOnlyList<(string Slug, string Title)> Scenarios { get; private set; } = [];

    public IReadOnlyList<(Guid Id, string Name)> Reviewers { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        Sort = SortKeys.Contains(Sort) ? Sort : "started";
        PageNumber = Math.Max(1, PageNumber);

        var visible = db.Assessments.AsNoTracking().VisibleTo(db, userId);
        var filtered = Filter(visible);

        var counts = await filtered.GroupBy(a => a.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        Counts = counts.ToDictionary(c => c.Key, c => c.Count);
        Total = Status is { } status ? Counts.GetValueOrDefault(status) : counts.Sum(c => c.Count);
        PageNumber = Math.Min(PageNumber, Pages);

        var rows = AssessmentRows.Project(db, Status is { } only ? filtered.Where(a => a.Status == only) : filtered, userId);
        Rows = await Order(rows).Skip((PageNumber - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);

        var scenarios = await visible.Select(a => new { a.ScenarioVersion!.Scenario!.Slug, a.ScenarioVersion.Scenario.Title })
            .Distinct().OrderBy(s => s.Title).ToListAsync(cancellationToken);
        Scenarios = scenarios.Select(s => (s.Slug, s.Title)).ToList();
        var reviewers = await db.Users.AsNoTracking()
            .Where(u => u.Memberships.Any(m => db.Memberships.Any(mine => mine.UserId == userId && mine.OrganisationId == m.OrganisationId)))
            .OrderBy(u => u.DisplayName)
            .Select(u => new { u.Id, Name = u.DisplayName == "" ? u.Email! : u.DisplayName })
            .ToListAsync(cancellationToken);
        Reviewers = reviewers.Select(r => (r.Id, r.Name)).ToList();
    }

    /// <summary>The most rows one export holds; a filter narrows a bigger list.</summary>
    public const int ExportLimit = 10_000;

    /// <summary>The filtered, sorted list as CSV (every page), blinded as the page is.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        Sort = SortKeys.Contains(Sort) ? Sort : "started";
        var filtered = Filter(db.Assessments.AsNoTracking().VisibleTo(db, userId));
        var rows = await Order(AssessmentRows.Project(db, Status is { } only ? filtered.Where(a => a.Status == only) : filtered, userId))
            .Take(ExportLimit)
            .ToListAsync(cancellationToken);
        var csv = Csv.Write(
            ["candidate", "scenario", "version", "status", "decision", "invited_at", "started_at", "deadline", "pushes", "latest_verdict", "primary_metric", "baseline", "candidate_value", "score", "reviewers", "assessment_id"],
            rows.Select(r => new string?[]
            {
                r.Candidate,
                r.ScenarioTitle,
                r.VersionLabel,
                Formats.Words(r.Status),
                r.Decision is null ? null : Scoring.HiringDecisions.Words(r.Decision),
                Formats.Iso(r.InvitedAt),
                r.StartedAt is { } started ? Formats.Iso(started) : null,
                r.Deadline is { } deadline ? Formats.Iso(deadline) : null,
                r.Pushes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.Verdict is null ? null : Formats.Words(r.Verdict),
                r.MetricKey,
                Csv.Number(r.MetricBaseline),
                Csv.Number(r.MetricCandidate),
                Csv.Number(r.Score),
                string.Join("; ", r.Reviewers.Select(x => x.Submitted ? $"{x.Name} (submitted{(x.Recommendation is { } rec ? $": {Scoring.ReviewRules.Words(rec)}" : "")})" : x.Name)),
                r.Id.ToString(),
            }));
        return File(csv, "text/csv; charset=utf-8", "assessments.csv");
    }

    /// <summary>Every filter but the status, which the counts are broken down by.</summary>
    private IQueryable<Assessment> Filter(IQueryable<Assessment> assessments)
    {
        if (!string.IsNullOrEmpty(Scenario))
        {
            assessments = assessments.Where(a => a.ScenarioVersion!.Scenario!.Slug == Scenario);
        }

        if (Reviewer is { } reviewer)
        {
            assessments = assessments.Where(a => db.Reviews.Any(r => r.AssessmentId == a.Id && r.ReviewerId == reviewer));
        }

        if (Verdict is { } verdict)
        {
            assessments = assessments.Where(a => a.Listing!.LatestVerdict == verdict);
        }

        // The day an assessment began: when the candidate started, or was invited if not yet.
        if (From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            assessments = assessments.Where(a => (a.StartedAt ?? a.InvitedAt) >= start);
        }

        if (To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            assessments = assessments.Where(a => (a.StartedAt ?? a.InvitedAt) < end);
        }

        return assessments;
    }

    private IQueryable<AssessmentRow> Order(IQueryable<AssessmentRow> rows)
    {
        IOrderedQueryable<AssessmentRow> ordered = (Sort, Desc) switch
        {
            // A blinded row sorts by its id, not by the name it hides.
            ("candidate", false) => rows.OrderBy(r => r.Blind ? r.Id.ToString() : r.CandidateName),
            ("candidate", true) => rows.OrderByDescending(r => r.Blind ? r.Id.ToString() : r.CandidateName),
            ("scenario", false) => rows.OrderBy(r => r.ScenarioTitle).ThenBy(r => r.VersionLabel),
            ("scenario", true) => rows.OrderByDescending(r => r.ScenarioTitle).ThenByDescending(r => r.VersionLabel),
            ("status", false) => rows.OrderBy(r => r.Status),
            ("status", true) => rows.OrderByDescending(r => r.Status),
            ("deadline", false) => rows.OrderBy(r => r.Deadline),
            ("deadline", true) => rows.OrderByDescending(r => r.Deadline),
            ("pushes", false) => rows.OrderBy(r => r.Pushes),
            ("pushes", true) => rows.OrderByDescending(r => r.Pushes),
            ("verdict", false) => rows.OrderBy(r => r.Verdict),
            ("verdict", true) => rows.OrderByDescending(r => r.Verdict),
            ("metric", false) => rows.OrderBy(r => r.Improvement),
            ("metric", true) => rows.OrderByDescending(r => r.Improvement),
            ("score", false) => rows.OrderBy(r => r.Score),
            ("score", true) => rows.OrderByDescending(r => r.Score),
            ("reviewers", false) => rows.OrderBy(r => r.FirstReviewer),
            ("reviewers", true) => rows.OrderByDescending(r => r.FirstReviewer),
            (_, false) => rows.OrderBy(r => r.Began),
            (_, true) => rows.OrderByDescending(r => r.Began),
        };
        // A stable order under any column, so paging neither repeats nor skips a row.
        return ordered.ThenBy(r => r.Id);
    }

    /// <summary>The query string of this list with some values changed; every link on the page
    /// keeps the filters the reader chose.</summary>
    public string Link(string? sort = null, bool? desc = null, int? page = null, AssessmentStatus? status = null, bool allStatuses = false)
    {
        var values = new Dictionary<string, string?>
        {
            ["scenario"] = Scenario,
            ["status"] = allStatuses ? null : (status ?? Status)?.ToString(),
            ["reviewer"] = Reviewer?.ToString(),
            ["verdict"] = Verdict?.ToString(),
            ["from"] = From?.ToString("yyyy-MM-dd"),
            ["to"] = To?.ToString("yyyy-MM-dd"),
            ["sort"] = sort ?? Sort,
            ["desc"] = (desc ?? Desc) ? "true" : "false",
            ["p"] = (page ?? (sort is null && status is null && !allStatuses ? PageNumber : 1)).ToString(),
        };
        return "/assessments" + Microsoft.AspNetCore.Http.QueryString.Create(values.Where(v => !string.IsNullOrEmpty(v.Value)));
    }

    /// <summary>The link a column heading points to: that column, flipped if it is the current one.</summary>
    public string SortLink(string column) => Link(sort: column, desc: column == Sort ? !Desc : column is "started" or "deadline" or "pushes" or "metric" or "score");
}
