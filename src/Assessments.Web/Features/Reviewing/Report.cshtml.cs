using System.Text.Json;
using Assessments.Runner.Results;
using Assessments.Scenarios.Manifest;
using Assessments.Web.Features.Account;
using Assessments.Runner.Scoring;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Scoring;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Reviewing;

/// <summary><c>/assessments/{id}</c>: one candidate's work. The timeline of pushes and their
/// gradings, one grading in full (tests, metric charts, the change against the template with
/// findings on their lines, the candidate's notes, stages and log, where it ran), another beside
/// it on request, and live stages while it runs. Reads the stored report document, so the page
/// shows what the grading said, in at most six SQL statements for a reviewer (an admin's page reads
/// the members who may review, a running grading's its stages so far). Below it, the scoring panel: the
/// rubric with levels suggested from the evidence, the caller's review, and the others' once
/// the caller may see them.</summary>
public sealed class ReportModel(
    AssessmentsDbContext db,
    GradingQueue queue,
    ReviewWriter reviews,
    ReviewAssignments assignments,
    HiringDecisions decisions,
    ILogger<ReportModel> logger) : PageModel
{
    /// <summary>Test output shown before "show all".</summary>
    public const int OutputPreview = 2000;

    /// <summary>A grading's identity and outcome, as the timeline lists it.</summary>
    public sealed record GradingSummary(Guid Id, GradingStatus Status, GradingVerdict? Verdict, DateTimeOffset QueuedAt, DateTimeOffset? FinishedAt, string? RequestedBy);

    /// <summary>One push with its gradings, oldest first.</summary>
    public sealed record Push(Guid Id, string CommitSha, string? Message, DateTimeOffset ReceivedAt, bool IsFinal, SubmissionSource Source, IReadOnlyList<GradingSummary> Gradings);

    /// <summary>A grading as shown in full.</summary>
    public sealed record GradingView(
        Guid Id,
        Push Push,
        GradingStatus Status,
        int Attempt,
        DateTimeOffset? StartedAt,
        string? ImageDigest,
        GradingReport? Report,
        string? Log,
        bool LogTruncated);

    [BindProperty(SupportsGet = true)]
    public Guid? Grading { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Compare { get; set; }

    public Assessment Assessment { get; private set; } = null!;

    public ScenarioManifest? Manifest { get; private set; }

    public string ScenarioTitle { get; private set; } = "";

    public string VersionLabel { get; private set; } = "";

    public OrganisationRole Role { get; private set; }

    public IReadOnlyList<Push> Pushes { get; private set; } = [];

    public GradingView? Selected { get; private set; }

    public GradingView? Other { get; private set; }

    public IReadOnlyList<GradingFile> Files { get; private set; } = [];

    /// <summary>The stages of the selected grading's current attempt while it has no report.</summary>
    public IReadOnlyList<GradingStageEvent> LiveStages { get; private set; } = [];

    public string? Notice { get; private set; }

    public ScoringPanel? Scoring { get; private set; }

    /// <summary>The caller reads this assessment blind (<see cref="Blinding"/>).</summary>
    public bool Blind { get; private set; }

    /// <summary>The candidate's name, or their pseudonym for a blinded reader.</summary>
    public string CandidateName => Blind ? Blinding.Pseudonym(Assessment.Id) : Assessment.Candidate!.Name;

    /// <summary>Text the candidate wrote (a commit message, a file, a test's output), with their
    /// identity masked for a blinded reader.</summary>
    public string? Shown(string? text) =>
        Blind ? new Blinding.Identity(Assessment.Id, Assessment.Candidate!.Name, Assessment.Candidate.Email, Assessment.Candidate.GitHubLogin, Assessment.Slug).Mask(text) : text;

    public bool IsLive => Selected is { Status: GradingStatus.Queued or GradingStatus.Running };

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    /// <summary>An admin's re-grade: a new grading of the same push, beside the earlier ones.</summary>
    public async Task<IActionResult> OnPostRegradeAsync(Guid id, Guid submission, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken) || Pushes.All(p => p.Id != submission))
        {
            return NotFound();
        }

        if (Role != OrganisationRole.Admin)
        {
            // A member who can see the report but may not change it: said plainly, not hidden.
            return Forbid();
        }

        var runId = await queue.EnqueueAsync(submission, $"user {User.Identity?.Name}", cancellationToken);
        logger.LogInformation("{User} asked for a re-grade {GradingRunId} of submission {SubmissionId}", User.Identity?.Name, runId, submission);
        return Redirect($"/assessments/{id}?grading={runId}");
    }

    /// <summary>A reviewer saves their review as a draft, submits it, or amends a submitted one.</summary>
    public async Task<IActionResult> OnPostReviewAsync(Guid id, ReviewForm review, string? intent, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (!ReviewRules.MayScore(Role))
        {
            return Forbid();
        }

        if (Scoring is null || Manifest is null)
        {
            Notice = "This scenario version's rubric could not be read, so it cannot be scored here.";
            return Page();
        }

        var reviewer = await db.Users.SingleAsync(u => u.Id == User.UserId(), cancellationToken);
        var problems = await reviews.SaveAsync(Assessment, Manifest.Rubric, Scoring.Suggestions, reviewer, review,
            intent == "submit" ? ReviewWriter.Intent.Submit : ReviewWriter.Intent.Save, cancellationToken);
        if (problems.Count > 0)
        {
            // The form again with what was typed, each problem beside its field; nothing saved.
            Scoring.Form = review;
            Scoring.Problems = problems;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        return Redirect($"/assessments/{id}{(Grading is { } g ? $"?grading={g}" : "")}#scoring");
    }

    /// <summary>An admin chooses the assessment's reviewers; each is mailed when it is ready.</summary>
    public async Task<IActionResult> OnPostAssignAsync(Guid id, Guid[] reviewers, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (Role != OrganisationRole.Admin || Scoring is null)
        {
            return Forbid();
        }

        var admin = await db.Users.SingleAsync(u => u.Id == User.UserId(), cancellationToken);
        if (await assignments.AssignAsync(Assessment, reviewers, admin, cancellationToken) is { } problem)
        {
            Scoring.AssignmentProblem = problem;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        return Redirect($"/assessments/{id}#reviewers");
    }

    /// <summary>An admin's hiring decision, once the reviews are in.</summary>
    public async Task<IActionResult> OnPostDecideAsync(Guid id, HiringDecision? decision, string? reason, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (Role != OrganisationRole.Admin || Scoring is null)
        {
            return Forbid();
        }

        var admin = await db.Users.SingleAsync(u => u.Id == User.UserId(), cancellationToken);
        if (await decisions.DecideAsync(id, decision, reason, admin, cancellationToken) is { } problem)
        {
            Scoring.DecisionProblem = problem;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        return Redirect($"/assessments/{id}#decision");
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var userId = User.UserId();
        // 1: the assessment, if the caller's organisation owns it, with the caller's role there.
        var found = await db.Assessments.AsNoTracking().VisibleTo(db, userId)
            .Where(a => a.Id == id)
            .Select(a => new
            {
                Assessment = a,
                a.Candidate,
                Title = a.ScenarioVersion!.Scenario!.Title,
                a.ScenarioVersion.Label,
                a.ScenarioVersion.Manifest,
                ReviewsBlind = a.Organisation!.BlindReview,
                Role = db.Memberships.Where(m => m.UserId == userId && m.OrganisationId == a.OrganisationId).Select(m => m.Role).First(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return false;
        }

        Assessment = found.Assessment;
        Assessment.Candidate = found.Candidate;
        ScenarioTitle = found.Title;
        VersionLabel = found.Label;
        Role = found.Role;
        Manifest = StoredManifest.TryRead(found.Manifest);
        var reviewsBlind = found.ReviewsBlind;

        // 2: every push with its gradings.
        var pushes = await db.Submissions.AsNoTracking()
            .Where(s => s.AssessmentId == id)
            .OrderBy(s => s.ReceivedAt).ThenBy(s => s.Id)
            .Select(s => new Push(s.Id, s.CommitSha, s.Message, s.ReceivedAt, s.IsFinal, s.Source,
                db.GradingRuns.Where(g => g.SubmissionId == s.Id && g.Kind == GradingKind.Candidate)
                    .OrderBy(g => g.QueuedAt).ThenBy(g => g.Id)
                    .Select(g => new GradingSummary(g.Id, g.Status, g.Verdict, g.QueuedAt, g.FinishedAt, g.RequestedBy))
                    .ToList()))
            .ToListAsync(cancellationToken);
        Pushes = pushes;

        var all = pushes.SelectMany(p => p.Gradings.Select(g => (Push: p, Grading: g))).ToList();
        var defaultId = DefaultGrading(all);
        var selectedId = all.Any(x => x.Grading.Id == Grading) ? Grading : defaultId;
        var otherId = Compare is { } compare && compare != selectedId && all.Any(x => x.Grading.Id == compare) ? Compare : null;

        // 3: the reviews, with their levels and reviewers.
        var reviewsOfAssessment = await db.Reviews.AsNoTracking()
            .Include(r => r.Criteria).Include(r => r.Reviewer)
            .Where(r => r.AssessmentId == id)
            .OrderBy(r => r.AssignedAt)
            .ToListAsync(cancellationToken);
        Blind = Blinding.IsBlind(reviewsBlind, Role, reviewsOfAssessment.SingleOrDefault(r => r.ReviewerId == userId));

        // 4 (admins only): who may be assigned to review.
        var members = Role != OrganisationRole.Admin ? []
            : await db.Memberships.AsNoTracking()
                .Where(m => m.OrganisationId == Assessment.OrganisationId && (m.Role == OrganisationRole.Admin || m.Role == OrganisationRole.Reviewer))
                .OrderBy(m => m.User!.DisplayName)
                .Select(m => new { m.UserId, m.User!.DisplayName, m.User.Email, m.Role })
                .ToListAsync(cancellationToken);
        var eligible = members.Select(m => (m.UserId, m.DisplayName == "" ? m.Email! : m.DisplayName, m.Role)).ToList();
        if (selectedId is null)
        {
            Scoring = Panel(reviewsOfAssessment, eligible, userId, null, null, null);
            return true;
        }

        // 5: the selected grading, the one beside it and the one the suggestions read (the final
        // push's, as a reviewer scores it), with their report documents.
        var evidenceId = all.SingleOrDefault(x => x.Grading.Id == defaultId).Grading is { Status: GradingStatus.Completed } ? defaultId : null;
        var ids = new[] { selectedId, otherId, evidenceId }.OfType<Guid>().Distinct().ToArray();
        var runs = await db.GradingRuns.AsNoTracking()
            .Where(g => ids.Contains(g.Id))
            .Select(g => new { g.Id, g.SubmissionId, g.Status, g.Attempt, g.StartedAt, g.ImageDigest, g.Report, g.Log, g.LogTruncated })
            .ToListAsync(cancellationToken);
        GradingView View(Guid gradingId)
        {
            var run = runs.Single(r => r.Id == gradingId);
            var push = pushes.Single(p => p.Id == run.SubmissionId);
            return new GradingView(run.Id, push, run.Status, run.Attempt, run.StartedAt, run.ImageDigest, ReadReport(run.Report), run.Log, run.LogTruncated);
        }

        Selected = View(selectedId.Value);
        Other = otherId is { } o ? View(o) : null;
        var evidence = evidenceId is { } e ? View(e) : null;
        Scoring = Panel(reviewsOfAssessment, eligible, userId, evidence?.Id, evidence?.Report, evidence?.Push.CommitSha);

        // 6: the selected grading's changed files; 7: its stages so far, while it runs.
        Files = await db.GradingFiles.AsNoTracking().Where(f => f.GradingRunId == selectedId).OrderBy(f => f.Path).ToListAsync(cancellationToken);
        if (IsLive)
        {
            var attempt = Selected.Attempt;
            LiveStages = await db.GradingStageEvents.AsNoTracking()
                .Where(e => e.GradingRunId == selectedId && e.Attempt == attempt)
                .OrderBy(e => e.Id)
                .ToListAsync(cancellationToken);
        }

        return true;
    }

    /// <summary>The scoring panel for the caller, or null without a readable rubric.</summary>
    private ScoringPanel? Panel(
        List<Review> all, List<(Guid Id, string Name, OrganisationRole Role)> members, Guid userId, Guid? evidenceGrading, GradingReport? evidenceReport, string? evidenceCommit)
    {
        if (Manifest is null)
        {
            return null;
        }

        var own = all.SingleOrDefault(r => r.ReviewerId == userId);
        var others = all.Where(r => r.ReviewerId != userId).ToList();
        var maySeeOthers = Blinding.MaySeeOthers(Role, own);
        var suggestions = evidenceReport is null
            ? new Dictionary<string, CriterionSuggestion>()
            : RubricSuggestions.For(Manifest.Rubric, evidenceReport).Where(s => s.Mapped).ToDictionary(s => s.Criterion.Id);
        return new ScoringPanel
        {
            Rubric = Manifest.Rubric,
            Suggestions = suggestions,
            EvidenceGrading = evidenceGrading,
            EvidenceReport = evidenceReport,
            EvidenceCommit = evidenceCommit,
            Own = own,
            Form = ReviewForm.From(own),
            MayScore = ReviewRules.MayScore(Role),
            MaySeeOthers = maySeeOthers,
            Others = maySeeOthers ? others : [],
            OthersStarted = others.Count,
            OthersSubmitted = others.Count(r => r.SubmittedAt is not null),
            IsAdmin = Role == OrganisationRole.Admin,
            Members = members,
            All = all,
            DecisionBlocker = HiringDecisions.Blocker(Assessment.Status, all),
        };
    }

    /// <summary>What a reviewer wants first: the final push's latest grading, else the latest
    /// grading with a result, else the latest of all.</summary>
    private static Guid? DefaultGrading(List<(Push Push, GradingSummary Grading)> all)
    {
        var final = all.Where(x => x.Push.IsFinal && x.Grading.Status == GradingStatus.Completed).Select(x => x.Grading).LastOrDefault();
        return final?.Id
            ?? all.Where(x => x.Grading.Status is GradingStatus.Completed or GradingStatus.Failed).Select(x => x.Grading.Id).Cast<Guid?>().LastOrDefault()
            ?? all.Select(x => x.Grading.Id).Cast<Guid?>().LastOrDefault();
    }

    private GradingReport? ReadReport(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return GradingReport.FromJson(json);
        }
        catch (JsonException e)
        {
            logger.LogWarning(e, "A stored report does not read as the results contract");
            Notice = "The stored report of this grading could not be read; its log is below.";
            return null;
        }
    }

    /// <summary>The candidate's notes: NOTES.md as their grading stored it, when they wrote one.</summary>
    public string? Notes => Files.FirstOrDefault(f => string.Equals(f.Path, "NOTES.md", StringComparison.OrdinalIgnoreCase))?.CandidateText;

    /// <summary>The findings of the selected grading on <paramref name="path"/>.</summary>
    public IReadOnlyList<Finding> FindingsOn(string path) =>
        Selected?.Report is { } report ? StoredReports.Findings(Selected.Id, report).Where(f => f.Path == path).ToList() : [];

    /// <summary>The query string that selects <paramref name="grading"/> (and keeps a comparison).</summary>
    public string GradingLink(Guid grading, Guid? compare = null) =>
        $"/assessments/{Assessment.Id}?grading={grading}" + (compare is { } c ? $"&compare={c}" : "");

    /// <summary>"+1 h 20 min after start", relative to when the candidate started.</summary>
    public string SinceStart(DateTimeOffset at) =>
        Assessment.StartedAt is { } started ? $"{Formats.Span(at - started)} after start" : "";

    /// <summary>"40 min before the deadline" or "after the deadline".</summary>
    public string BeforeDeadline(DateTimeOffset at) =>
        Assessment.EffectiveDeadline is not { } deadline ? ""
        : at <= deadline ? $"{Formats.Span(deadline - at)} before the deadline"
        : $"{Formats.Span(at - deadline)} after the deadline";
}
