using System.Diagnostics;

namespace Assessments.Web.Features.Operations;

/// <summary>The names the product's own traces and metrics go by, so a dashboard or a query
/// written against them keeps working: one activity source and one meter, both
/// <see cref="Name"/>, and the tags every span of a grading carries.</summary>
public static class OperationsTelemetry
{
    public const string Name = "Assessments";

    /// <summary>Spans of Hangfire jobs and of each sandbox stage. Static, as activity sources are:
    /// a listener subscribes by name, whichever process or test host created it.</summary>
    public static readonly ActivitySource Source = new(Name);

    public const string AssessmentId = "assessments.assessment.id";

    public const string SubmissionId = "assessments.submission.id";

    public const string GradingId = "assessments.grading.id";

    public const string VerificationId = "assessments.verification.id";

    /// <summary>The ids a grading's spans and log lines carry: the grading always, the
    /// submission and assessment for a candidate's, the verification for a verification's.</summary>
    public static KeyValuePair<string, object?>[] GradingTags(GradingRun run)
    {
        var tags = new List<KeyValuePair<string, object?>> { new(GradingId, run.Id.ToString()) };
        if (run.SubmissionId is { } submission)
        {
            tags.Add(new(SubmissionId, submission.ToString()));
        }

        if (run.Submission?.AssessmentId is { } assessment)
        {
            tags.Add(new(AssessmentId, assessment.ToString()));
        }

        if (run.VerificationId is { } verification)
        {
            tags.Add(new(VerificationId, verification.ToString()));
        }

        return [.. tags];
    }

    /// <summary>Puts the grading's ids on the current span (the job's) and returns a logging scope
    /// with the same ids, so a trace and the log lines of one grading are found by the same id.</summary>
    public static IDisposable? TagGrading(ILogger logger, GradingRun run)
    {
        var tags = GradingTags(run);
        foreach (var (key, value) in tags)
        {
            Activity.Current?.SetTag(key, value);
        }

        return logger.BeginScope(tags.ToDictionary(t => LogName(t.Key), t => t.Value));
    }

    /// <summary><c>assessments.grading.id</c> → <c>GradingId</c>, the way the log lines name it.</summary>
    private static string LogName(string tag) => tag switch
    {
        AssessmentId => "AssessmentId",
        SubmissionId => "SubmissionId",
        GradingId => "GradingRunId",
        VerificationId => "VerificationId",
        _ => tag,
    };
}
