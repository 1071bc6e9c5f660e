using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Assessments.Web.Data.Migrations
{
    /// <summary>A push now writes its queued grading run in its own transaction, with no outbox
    /// message between them (decision 015). A "grade-submission" message still pending when this
    /// version starts becomes the queued run the dispatcher would have made of it, and is marked
    /// dispatched; the dispatcher then gives the run its job like any other.</summary>
    public partial class QueuedRunsInsteadOfGradeMessages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                INSERT INTO grading_runs (id, kind, scenario_version_id, submission_id, status, attempt, queued_at, log_truncated)
                SELECT gen_random_uuid(), 'Candidate', a.scenario_version_id, s.id, 'Queued', 0, m.created_at, false
                FROM outbox_messages m
                JOIN submissions s ON s.id = (m.payload::jsonb ->> 'SubmissionId')::uuid
                JOIN assessments a ON a.id = s.assessment_id
                WHERE m.kind = 'grade-submission' AND m.dispatched_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM grading_runs r WHERE r.submission_id = s.id);

                UPDATE outbox_messages SET dispatched_at = now(), attempts = attempts + 1
                WHERE kind = 'grade-submission' AND dispatched_at IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to undo: the runs it queued are ordinary queued runs, which the earlier
            // version's dispatcher also gives jobs.
        }
    }
}
