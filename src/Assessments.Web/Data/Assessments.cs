namespace Assessments.Web.Data;

/// <summary>A person being assessed. Known to one organisation only.</summary>
public sealed class Candidate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganisationId { get; set; }

    public Organisation? Organisation { get; set; }

    public required string Name { get; set; }

    /// <summary>Stored lower-cased so uniqueness per organisation is case-insensitive.</summary>
    public required string Email { get; set; }

    public string? GitHubLogin { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public enum AssessmentStatus
{
    Invited,
    Started,
    Closed,
    ReadyForReview,
    Reviewed,
    Cancelled,
}

/// <summary>An admin's hiring decision once the reviews are in.</summary>
public enum HiringDecision
{
    Advance,
    Reject,
    Hold,
}

public enum RepositoryHost
{
    BuiltIn,
    GitHub,
}

/// <summary>One candidate working on one scenario version.</summary>
public sealed partial class Assessment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganisationId { get; set; }

    public Organisation? Organisation { get; set; }

    public Guid CandidateId { get; set; }

    public Candidate? Candidate { get; set; }

    public Guid ScenarioVersionId { get; set; }

    public ScenarioVersion? ScenarioVersion { get; set; }

    /// <summary>Short URL-safe name, unique in its organisation; the repository is <c>/git/{org}/{slug}.git</c>.</summary>
    public required string Slug { get; set; }

    public AssessmentStatus Status { get; set; } = AssessmentStatus.Invited;

    public DateTimeOffset InvitedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>A fixed end, whatever the start; the earlier of this and start + <see cref="TimeLimit"/> wins.</summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>How long the candidate has once they press start.</summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>When pushes stop counting: the earlier of <see cref="Deadline"/> and start +
    /// <see cref="TimeLimit"/>; null while neither applies (not started, no fixed deadline).</summary>
    public DateTimeOffset? EffectiveDeadline =>
        (Deadline, StartedAt + TimeLimit) switch
        {
            ({ } fixedEnd, { } limitEnd) => fixedEnd < limitEnd ? fixedEnd : limitEnd,
            (var fixedEnd, var limitEnd) => fixedEnd ?? limitEnd,
        };

    /// <summary>SHA-256 of the invitation link's secret; the link itself is shown once.</summary>
    public string? InvitationTokenHash { get; set; }

    public RepositoryHost RepositoryHost { get; set; } = RepositoryHost.BuiltIn;

    /// <summary>The clone address given to the candidate.</summary>
    public string? RepositoryUrl { get; set; }

    /// <summary>Hash of the candidate's git access token (created at start, shown once).</summary>
    public string? AccessTokenHash { get; set; }

    public DateTimeOffset? AccessTokenRevokedAt { get; set; }

    /// <summary><c>owner/name</c> of the candidate's repository on GitHub, fixed at invitation.</summary>
    public string? ExternalRepositoryFullName { get; set; }

    /// <summary>GitHub repository id when the repository lives on GitHub.</summary>
    public long? ExternalRepositoryId { get; set; }

    public long? ExternalWebhookId { get; set; }

    public long? ExternalInvitationId { get; set; }

    /// <summary>The webhook's shared secret, protected with ASP.NET Core Data Protection.</summary>
    public string? WebhookSecretProtected { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The hiring decision, with why, who and when; changed only by an admin, audited.</summary>
    public HiringDecision? Decision { get; set; }

    public string? DecisionReason { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public Guid? DecidedById { get; set; }

    public List<Submission> Submissions { get; set; } = [];

    /// <summary>What the list shows of its pushes and gradings; see <see cref="AssessmentListing"/>.</summary>
    public AssessmentListing? Listing { get; set; }
}

public enum SubmissionSource
{
    BuiltInPush,
    GitHubWebhook,
    Reconciliation,
    Deadline,
}

/// <summary>One pushed commit. A second push of the same commit is not a second submission.</summary>
public sealed class Submission
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid AssessmentId { get; set; }

    public Assessment? Assessment { get; set; }

    /// <summary>Lower-case hex object id (40 for SHA-1 repositories, 64 for SHA-256).</summary>
    public required string CommitSha { get; set; }

    public string Branch { get; set; } = "main";

    public SubmissionSource Source { get; set; }

    public DateTimeOffset ReceivedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The commit the assessment closed on; always graded.</summary>
    public bool IsFinal { get; set; }

    /// <summary>The commit's message as the candidate wrote it (capped), read by the grading job;
    /// null until then. Candidate text: pages render it inert.</summary>
    public string? Message { get; set; }
}
