using System.Globalization;

namespace Assessments.Web.Features.Git;

/// <summary>Where a push arrived: the built-in host asks before any ref moves and can refuse;
/// GitHub tells after the fact, so there a push that does not count is only ignored.</summary>
public enum PushHost
{
    BuiltIn,
    GitHub,
}

/// <summary>What a push did to one ref.</summary>
public enum RefChange
{
    /// <summary>Created it, or moved it forward.</summary>
    Moved,

    /// <summary>Moved it to a commit that does not contain the old one (a force push).</summary>
    Rewritten,

    Deleted,
}

/// <summary>Why a push counts or not, in the order the policy asks.</summary>
public enum PushOutcome
{
    /// <summary>A submission: the default branch moved while the assessment takes pushes.</summary>
    Counts,

    /// <summary>A branch other than the default branch: never graded.</summary>
    OtherBranch,

    /// <summary>A tag or any other ref that is not a branch.</summary>
    NotABranch,

    DeletesDefaultBranch,

    /// <summary>A rewrite of the default branch where the host could have refused it and the
    /// settings say so.</summary>
    RewritesDefaultBranch,

    NotStarted,

    Closed,

    /// <summary>At or after the effective deadline.</summary>
    Late,
}

/// <summary>The policy's answer for one ref update: whether it counts, and whether a host that can
/// refuse (the built-in one) refuses it. Another branch, where settings allow it, is kept but
/// not graded: accepted and not counted.</summary>
public sealed record PushDecision(PushOutcome Outcome, bool Refused)
{
    public bool Counts => Outcome == PushOutcome.Counts;
}

/// <summary>"Does this push count", stated once for both hosts (decision 016). GitHub's webhook
/// asks <see cref="Decide"/> after the push landed. The built-in host cannot call C# from git's
/// pre-receive hook at the moment of the push, so <see cref="HookEnvironment"/> evaluates the
/// same rules ahead of time, one answer per kind of ref update, and hands the hook what it needs:
/// the refusal text for each kind (empty where that kind is allowed) and the deadline. The hook
/// itself only tells the kinds apart (which takes git) and reads the clock.</summary>
public sealed class PushPolicy(RepositoryOptions settings)
{
    /// <summary>The decision for one ref update at <paramref name="now"/>: first what it changes,
    /// then whether the assessment takes pushes.</summary>
    /// <param name="reference">The full ref name, <c>refs/heads/main</c>.</param>
    /// <param name="defaultBranch">The branch that counts (the host's default branch).</param>
    public PushDecision Decide(Assessment assessment, string reference, string defaultBranch, RefChange change, PushHost host, DateTimeOffset now)
    {
        var outcome = RefOutcome(reference, defaultBranch, change, host) ?? WindowOutcome(assessment, now) ?? PushOutcome.Counts;
        return new PushDecision(outcome, Refuses(outcome, host));
    }

    /// <summary>Why <paramref name="assessment"/> takes no pushes at <paramref name="now"/>, or
    /// null while it does.</summary>
    public static PushOutcome? WindowOutcome(Assessment assessment, DateTimeOffset now) =>
        StateOutcome(assessment) ?? (assessment.EffectiveDeadline is { } deadline && IsLate(now, deadline) ? PushOutcome.Late : null);

    /// <summary>The deadline is the end: a push at it or later does not count, as the deadline job
    /// closes an assessment whose deadline is now or past.</summary>
    public static bool IsLate(DateTimeOffset now, DateTimeOffset deadline) => now >= deadline;

    /// <summary>What git's pre-receive hook (<see cref="GitHooks.PreReceive"/>) reads: this
    /// policy's answers for <paramref name="assessment"/>, each kind of ref update judged here
    /// with a placeholder (<c>%s</c>) where the hook puts the ref's name.</summary>
    public Dictionary<string, string> HookEnvironment(Assessment assessment)
    {
        var branch = settings.DefaultBranch;
        var head = $"refs/heads/{branch}";
        var deadline = assessment.EffectiveDeadline;
        return new Dictionary<string, string>
        {
            ["ASSESSMENTS_REFUSE"] = StateOutcome(assessment) is { } state ? Explain(state, branch, deadline, "") : "",
            ["ASSESSMENTS_CLOSES_AT"] = deadline?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "",
            ["ASSESSMENTS_LATE"] = deadline is null ? "" : Explain(PushOutcome.Late, branch, deadline, ""),
            ["ASSESSMENTS_BRANCH"] = branch,
            ["ASSESSMENTS_ON_DELETE"] = RefusalTemplate(head, RefChange.Deleted),
            ["ASSESSMENTS_ON_REWRITE"] = RefusalTemplate(head, RefChange.Rewritten),
            ["ASSESSMENTS_ON_OTHER_BRANCH"] = RefusalTemplate("refs/heads/%s", RefChange.Moved),
            ["ASSESSMENTS_ON_NOT_A_BRANCH"] = RefusalTemplate("%s", RefChange.Moved),
            ["ASSESSMENTS_MAX_REPOSITORY_KB"] = (settings.MaxRepositoryBytes / 1024).ToString(CultureInfo.InvariantCulture),
            ["ASSESSMENTS_ON_TOO_BIG"] = $"the repository would take %s KiB, over its limit of {settings.MaxRepositoryBytes / 1024} KiB.",
        };
    }

    /// <summary>What the candidate's terminal shows for a refusal by the built-in host (after
    /// <c>remote: Assessments: </c>); <paramref name="subject"/> is the ref (a branch's short name).</summary>
    public static string Explain(PushOutcome outcome, string branch, DateTimeOffset? deadline, string subject) => outcome switch
    {
        PushOutcome.NotStarted => "this assessment has not started yet: open your invitation and press start first.",
        PushOutcome.Closed => "this assessment is closed; pushes are no longer accepted.",
        PushOutcome.Late => $"the deadline ({deadline?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}) has passed; this push was not accepted.",
        PushOutcome.OtherBranch => $"only {branch} counts; {subject} was refused. Push your work to {branch}.",
        PushOutcome.NotABranch => $"{subject} was refused: only branches can be pushed.",
        PushOutcome.DeletesDefaultBranch => $"{branch} cannot be deleted.",
        PushOutcome.RewritesDefaultBranch => $"{branch} cannot be rewritten (this was a force push). Fetch, merge or rebase onto it, and push again.",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A push that counts is not refused."),
    };

    private static PushOutcome? StateOutcome(Assessment assessment) => assessment.Status switch
    {
        AssessmentStatus.Invited => PushOutcome.NotStarted,
        AssessmentStatus.Started => null,
        _ => PushOutcome.Closed,
    };

    private PushOutcome? RefOutcome(string reference, string defaultBranch, RefChange change, PushHost host)
    {
        if (reference != $"refs/heads/{defaultBranch}")
        {
            return reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? PushOutcome.OtherBranch : PushOutcome.NotABranch;
        }

        return change switch
        {
            RefChange.Deleted => PushOutcome.DeletesDefaultBranch,
            // On GitHub the rewrite has happened: the branch holds it, so it is what counts.
            RefChange.Rewritten when host == PushHost.BuiltIn && !settings.AllowForcePush => PushOutcome.RewritesDefaultBranch,
            _ => null,
        };
    }

    private bool Refuses(PushOutcome outcome, PushHost host) =>
        host == PushHost.BuiltIn && outcome switch
        {
            PushOutcome.Counts => false,
            PushOutcome.OtherBranch => !settings.AllowOtherBranches,
            _ => true,
        };

    /// <summary>The hook's text for a kind of update, with <c>%s</c> for the ref; empty when the
    /// built-in host lets that kind through.</summary>
    private string RefusalTemplate(string reference, RefChange change)
    {
        var outcome = RefOutcome(reference, settings.DefaultBranch, change, PushHost.BuiltIn) ?? PushOutcome.Counts;
        return Refuses(outcome, PushHost.BuiltIn) ? Explain(outcome, settings.DefaultBranch, null, "%s") : "";
    }
}
