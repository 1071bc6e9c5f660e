namespace Assessments.Web.Features.Grading;

/// <summary>The latest grading of an assessment's submissions, as a list of assessments shows it.</summary>
public sealed record LatestGrading(
    Guid AssessmentId,
    Guid RunId,
    Guid SubmissionId,
    string CommitSha,
    GradingStatus Status,
    GradingVerdict? Verdict,
    string? Stage,
    DateTimeOffset QueuedAt,
    DateTimeOffset? FinishedAt);

/// <summary>How pages read stored gradings: from the rows <see cref="StoredReports"/> wrote, each
/// question in one statement however many assessments or gradings it covers (decision 015).</summary>
public static class GradingRecords
{
    /// <summary>For each of <paramref name="assessmentIds"/> that has one, its newest grading that
    /// was not superseded by a later push: one statement.</summary>
    public static async Task<IReadOnlyDictionary<Guid, LatestGrading>> LatestGradingsAsync(this AssessmentsDbContext db, IReadOnlyCollection<Guid> assessmentIds, CancellationToken cancellationToken)
    {
        var latest = await db.GradingRuns.AsNoTracking()
            .Where(r => r.Submission != null && assessmentIds.Contains(r.Submission.AssessmentId) && r.Status != GradingStatus.Superseded)
            .GroupBy(r => r.Submission!.AssessmentId)
            .Select(g => g.OrderByDescending(r => r.QueuedAt).ThenByDescending(r => r.Id)
                .Select(r => new LatestGrading(g.Key, r.Id, r.SubmissionId!.Value, r.Submission!.CommitSha, r.Status, r.Verdict, r.Stage, r.QueuedAt, r.FinishedAt))
                .First())
            .ToListAsync(cancellationToken);
        return latest.ToDictionary(l => l.AssessmentId);
    }

    /// <summary>The metrics of each of <paramref name="runIds"/>, by run, primary first then by key:
    /// one statement.</summary>
    public static async Task<ILookup<Guid, MetricSample>> MetricsOfAsync(this AssessmentsDbContext db, IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        var metrics = await db.MetricSamples.AsNoTracking()
            .Where(m => runIds.Contains(m.GradingRunId))
            .OrderBy(m => m.GradingRunId).ThenByDescending(m => m.IsPrimary).ThenBy(m => m.Key)
            .ToListAsync(cancellationToken);
        return metrics.ToLookup(m => m.GradingRunId);
    }

    /// <summary>The findings of <paramref name="runId"/> by file, files in path order and each
    /// file's findings by line: one statement.</summary>
    public static async Task<ILookup<string, Finding>> FindingsByFileAsync(this AssessmentsDbContext db, Guid runId, CancellationToken cancellationToken)
    {
        var findings = await db.Findings.AsNoTracking()
            .Where(f => f.GradingRunId == runId)
            .OrderBy(f => f.Path).ThenBy(f => f.Line).ThenBy(f => f.Id)
            .ToListAsync(cancellationToken);
        return findings.ToLookup(f => f.Path, StringComparer.Ordinal);
    }
}
