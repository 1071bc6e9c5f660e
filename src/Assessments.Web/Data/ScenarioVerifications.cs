namespace Assessments.Web.Data;

public enum ScenarioVerificationStatus
{
    Queued,
    Running,

    /// <summary>The version did what its manifest says on the image it ran on.</summary>
    Verified,

    /// <summary>It ran to the end and fell short: <see cref="ScenarioVerification.Problems"/> says how.</summary>
    NotVerified,

    /// <summary>Ours: the sandbox or the stored archive failed on every attempt; says nothing about the package.</summary>
    Failed,
}

/// <summary>One verification of a scenario version on one sandbox image: its template, solution
/// and variants graded by the workers (each a <see cref="GradingRun"/> of kind
/// <see cref="GradingKind.Verification"/>), and what fell short. A version is usable for
/// invitations only when it verified on the image the workers run now (decision 020).</summary>
public sealed class ScenarioVerification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid ScenarioVersionId { get; set; }

    public ScenarioVersion? ScenarioVersion { get; set; }

    public ScenarioVerificationStatus Status { get; set; } = ScenarioVerificationStatus.Queued;

    /// <summary>The Docker image id (<c>sha256:…</c>) it ran on; set when it starts.</summary>
    public string? ImageId { get; set; }

    /// <summary>Who asked: a member's email, or <c>cli</c>.</summary>
    public required string RequestedBy { get; set; }

    public DateTimeOffset RequestedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int Attempt { get; set; }

    public string? HangfireJobId { get; set; }

    /// <summary>Every way the package fell short of its manifest; empty when verified.</summary>
    public List<string> Problems { get; set; } = [];

    /// <summary>Why it could not run (ours), when <see cref="ScenarioVerificationStatus.Failed"/>.</summary>
    public string? Error { get; set; }

    /// <summary>Its gradings: the template's, the solution's and one per variant.</summary>
    public List<GradingRun> Gradings { get; set; } = [];

    public bool IsFinished => Status is ScenarioVerificationStatus.Verified or ScenarioVerificationStatus.NotVerified or ScenarioVerificationStatus.Failed;
}

/// <summary>A sandbox image a worker said it grades in. The one a worker reported last is the
/// current image: versions verified on an older one are "not verified on this image".</summary>
public sealed class SandboxImageRecord
{
    /// <summary>The Docker image id, <c>sha256:…</c>.</summary>
    public required string ImageId { get; set; }

    /// <summary>The name the worker found it by (<c>assessments-sandbox:65e097384b8a</c>).</summary>
    public required string Name { get; set; }

    public DateTimeOffset FirstReportedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>When a worker last started with it.</summary>
    public DateTimeOffset LastReportedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>Where a version stands for invitations: verified on the current image or not, and why.</summary>
/// <param name="CurrentImage">The image the workers run now; null before any worker reported one.</param>
/// <param name="Verified">Its newest verification that verified on <paramref name="CurrentImage"/>.</param>
/// <param name="Latest">Its newest verification on any image, in any state.</param>
public sealed record VersionVerificationState(SandboxImageRecord? CurrentImage, ScenarioVerification? Verified, ScenarioVerification? Latest)
{
    public bool IsUsable => Verified is not null;

    /// <summary>Why it is not usable, for the person who wanted to invite; null when it is.</summary>
    public string? Refusal(ScenarioVersion version, string scenario)
    {
        if (IsUsable)
        {
            return null;
        }

        var subject = $"{scenario} {version.Label} ({version.ContentHash[..12]})";
        var how = $"verify it first: \"Verify now\" on /scenarios/{scenario}, or `assess verification queue {scenario}`; an admin may invite anyway with --allow-unverified";
        if (CurrentImage is null)
        {
            return $"{subject} is not verified, and no worker has reported its sandbox image yet: start a worker, then {how}.";
        }

        var image = ShortImage(CurrentImage.ImageId);
        return Latest switch
        {
            { Status: ScenarioVerificationStatus.Queued or ScenarioVerificationStatus.Running } => $"{subject} is being verified on the sandbox image {image}; invite once it has verified, or an admin may invite anyway with --allow-unverified.",
            { Status: ScenarioVerificationStatus.NotVerified } latest when latest.ImageId == CurrentImage.ImageId => $"{subject} did not verify on the sandbox image {image} ({latest.Problems.Count} problem(s), the first: {latest.Problems.FirstOrDefault()}): fix the package and import it again.",
            { Status: ScenarioVerificationStatus.Verified } latest => $"{subject} verified on the sandbox image {ShortImage(latest.ImageId)}, not on the image the workers run now ({image}): {how}.",
            _ => $"{subject} is not verified on the sandbox image {image}: {how}.",
        };
    }

    /// <summary>The first 12 hex digits of an image id, as <c>docker images</c> shows it.</summary>
    public static string ShortImage(string? imageId) =>
        imageId is null ? "-" : imageId.StartsWith("sha256:", StringComparison.Ordinal) && imageId.Length >= 19 ? imageId[7..19] : imageId;
}

public static class ScenarioVerificationWords
{
    /// <summary>A verification's status as the pages and the command line say it. Failed is ours
    /// (the sandbox could not run it), never the package's, so it reads "could not run".</summary>
    public static string Describe(this ScenarioVerificationStatus status) => status switch
    {
        ScenarioVerificationStatus.NotVerified => "not verified",
        ScenarioVerificationStatus.Failed => "could not run",
        _ => status.ToString().ToLowerInvariant(),
    };
}

public static class ScenarioVerificationQueries
{
    /// <summary>The image the workers run now: the one reported last.</summary>
    public static Task<SandboxImageRecord?> CurrentSandboxImageAsync(this AssessmentsDbContext db, CancellationToken cancellationToken) =>
        db.SandboxImages.AsNoTracking().OrderByDescending(i => i.LastReportedAt).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Where <paramref name="versionId"/> stands on the current image.</summary>
    public static async Task<VersionVerificationState> VerificationStateAsync(this AssessmentsDbContext db, Guid versionId, CancellationToken cancellationToken)
    {
        var image = await db.CurrentSandboxImageAsync(cancellationToken);
        var verifications = db.ScenarioVerifications.AsNoTracking().Where(v => v.ScenarioVersionId == versionId);
        var latest = await verifications.OrderByDescending(v => v.RequestedAt).FirstOrDefaultAsync(cancellationToken);
        var verified = image is null ? null : await verifications
            .Where(v => v.Status == ScenarioVerificationStatus.Verified && v.ImageId == image.ImageId)
            .OrderByDescending(v => v.FinishedAt)
            .FirstOrDefaultAsync(cancellationToken);
        return new VersionVerificationState(image, verified, latest);
    }
}
