using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Assessments.Web.Data;

/// <summary>What the assessments list shows of an assessment's pushes and gradings, kept beside it
/// so the list can filter and sort 10,000 assessments by verdict or primary metric without
/// working out each one's latest grading per request. Never edited: recomputed from the rows
/// (<see cref="AssessmentListings.Refresh"/>) whenever a submission or grading of the assessment
/// is saved, so it cannot say something the rows do not.</summary>
public sealed class AssessmentListing
{
    public Guid AssessmentId { get; set; }

    public int Pushes { get; set; }

    /// <summary>The grading that counts: of the newest push that has one, the newest grading
    /// that was not superseded or cancelled.</summary>
    public Guid? LatestGradingRunId { get; set; }

    public GradingStatus? LatestGradingStatus { get; set; }

    public GradingVerdict? LatestVerdict { get; set; }

    public string? PrimaryMetricKey { get; set; }

    public string? PrimaryMetricUnit { get; set; }

    public double? PrimaryBaseline { get; set; }

    public double? PrimaryCandidate { get; set; }

    /// <summary>Above 1 is better, whichever way the metric improves (baseline ÷ candidate for
    /// lower-is-better): what the list sorts by.</summary>
    public double? PrimaryImprovement { get; set; }

    public MetricSampleComparison? PrimaryComparison { get; set; }

    public DateTimeOffset RefreshedAt { get; set; }
}

/// <summary>The one writer of <see cref="AssessmentListing"/> rows.</summary>
public static class AssessmentListings
{
    /// <summary>Recomputes the listings of the assessments matched by <paramref name="where"/> (a
    /// condition on <c>a</c>, the assessments table), inserting or replacing them. Also the
    /// migration's backfill, with <c>true</c>.</summary>
    public static string Refresh(string where) => $"""
        INSERT INTO assessment_listings (assessment_id, pushes, latest_grading_run_id, latest_grading_status, latest_verdict,
            primary_metric_key, primary_metric_unit, primary_baseline, primary_candidate, primary_improvement, primary_comparison, refreshed_at)
        SELECT a.id,
            (SELECT count(*) FROM submissions s WHERE s.assessment_id = a.id),
            g.id, g.status, g.verdict, m.key, m.unit, m.baseline_value, m.candidate_value,
            CASE WHEN m.ratio IS NULL OR m.ratio = 0 THEN NULL WHEN m.direction = 'Lower' THEN 1 / m.ratio ELSE m.ratio END,
            m.comparison, now()
        FROM assessments a
        LEFT JOIN LATERAL (
            SELECT g.id, g.status, g.verdict FROM grading_runs g JOIN submissions s ON s.id = g.submission_id
            WHERE s.assessment_id = a.id AND g.kind = 'Candidate' AND g.status NOT IN ('Superseded', 'Cancelled')
            ORDER BY s.received_at DESC, g.queued_at DESC, g.id DESC
            LIMIT 1) g ON true
        LEFT JOIN LATERAL (
            SELECT m.key, m.unit, m.baseline_value, m.candidate_value, m.ratio, m.direction, m.comparison
            FROM metric_samples m WHERE m.grading_run_id = g.id AND m.is_primary
            LIMIT 1) m ON true
        WHERE {where}
        ON CONFLICT (assessment_id) DO UPDATE SET
            pushes = EXCLUDED.pushes, latest_grading_run_id = EXCLUDED.latest_grading_run_id,
            latest_grading_status = EXCLUDED.latest_grading_status, latest_verdict = EXCLUDED.latest_verdict,
            primary_metric_key = EXCLUDED.primary_metric_key, primary_metric_unit = EXCLUDED.primary_metric_unit,
            primary_baseline = EXCLUDED.primary_baseline, primary_candidate = EXCLUDED.primary_candidate,
            primary_improvement = EXCLUDED.primary_improvement, primary_comparison = EXCLUDED.primary_comparison,
            refreshed_at = EXCLUDED.refreshed_at
        """;

    /// <summary>Refreshes the listings after every save that touched a submission, a grading or a
    /// grading's metrics, on the same connection and in the same transaction when there is one.
    /// Registered on the context itself, so every context (server, command line, tests) keeps
    /// the listings true.</summary>
    public sealed class Interceptor : SaveChangesInterceptor
    {
        private const string Touched = "a.id = ANY(@assessments) OR a.id IN (SELECT s.assessment_id FROM submissions s WHERE s.id = ANY(@submissions)) "
            + "OR a.id IN (SELECT s.assessment_id FROM submissions s JOIN grading_runs g ON g.submission_id = s.id WHERE g.id = ANY(@runs))";

        private static readonly string Sql = Refresh(Touched);

        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, TouchedKeys> _pending = [];

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Collect(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Collect(eventData.Context);
            return result;
        }

        public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is { } context && _pending.TryGetValue(context, out var keys))
            {
                _pending.Remove(context);
                await context.Database.ExecuteSqlRawAsync(Sql, Parameters(keys), cancellationToken);
            }

            return result;
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            if (eventData.Context is { } context && _pending.TryGetValue(context, out var keys))
            {
                _pending.Remove(context);
                context.Database.ExecuteSqlRaw(Sql, Parameters(keys));
            }

            return result;
        }

        public override void SaveChangesFailed(DbContextErrorEventData eventData)
        {
            if (eventData.Context is { } context)
            {
                _pending.Remove(context);
            }
        }

        private void Collect(DbContext? context)
        {
            if (context is null)
            {
                return;
            }

            // Foreign keys of entities added through navigations are set by now at the latest.
            context.ChangeTracker.DetectChanges();
            var keys = new TouchedKeys();
            foreach (var entry in context.ChangeTracker.Entries())
            {
                if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
                {
                    continue;
                }

                switch (entry.Entity)
                {
                    case Submission s:
                        keys.Assessments.Add(s.AssessmentId);
                        break;
                    case GradingRun { SubmissionId: { } submission }:
                        keys.Submissions.Add(submission);
                        break;
                    case MetricSample m:
                        keys.Runs.Add(m.GradingRunId);
                        break;
                }
            }

            if (keys.Assessments.Count + keys.Submissions.Count + keys.Runs.Count > 0)
            {
                _pending.AddOrUpdate(context, keys);
            }
        }

        private static object[] Parameters(TouchedKeys keys) =>
        [
            new NpgsqlParameter<Guid[]>("assessments", [.. keys.Assessments]),
            new NpgsqlParameter<Guid[]>("submissions", [.. keys.Submissions]),
            new NpgsqlParameter<Guid[]>("runs", [.. keys.Runs]),
        ];

        private sealed class TouchedKeys
        {
            public HashSet<Guid> Assessments { get; } = [];

            public HashSet<Guid> Submissions { get; } = [];

            public HashSet<Guid> Runs { get; } = [];
        }
    }
}
