using Assessments.Web.Data;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Assessments.Web.Tests.Data;

public sealed class MigrationTests
{
    [Fact]
    public async Task MigrationsApplyToAnEmptyDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await TestPostgres.CreateDatabaseAsync("migrate", ct);
        try
        {
            await using var db = new AssessmentsDbContext(new DbContextOptionsBuilder<AssessmentsDbContext>()
                .UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);

            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync(ct));
            await db.Database.MigrateAsync(ct);

            Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(ct));

            var tables = await db.Database.SqlQueryRaw<string>(
                "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public'").ToListAsync(ct);
            Assert.Superset(
                new HashSet<string>
                {
                    "organisations", "memberships", "users", "scenarios", "scenario_versions", "scenario_archives",
                    "candidates", "assessments", "submissions", "grading_runs", "test_results", "metric_samples",
                    "findings", "reviews", "webhook_deliveries", "outbox_messages", "audit_events", "data_protection_keys",
                },
                tables.ToHashSet());
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public void ModelHasNoChangesMissingFromTheMigrations()
    {
        // Fails when an entity or configuration changed without `dotnet ef migrations add`.
        using var db = new DesignTimeDbContextFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "The model differs from the last migration: add a migration.");
    }

    [Fact]
    public async Task MigrateIsSafeToRunTwice()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await TestPostgres.CreateDatabaseAsync("migrate2", ct);
        try
        {
            await using var db = new AssessmentsDbContext(new DbContextOptionsBuilder<AssessmentsDbContext>()
                .UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);
            await db.Database.MigrateAsync(ct);
            await db.Database.MigrateAsync(ct);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task APendingGradeMessageBecomesAQueuedRunWhenTheDatabaseIsUpgraded()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await TestPostgres.CreateDatabaseAsync("migrate3", ct);
        try
        {
            await using var db = new AssessmentsDbContext(new DbContextOptionsBuilder<AssessmentsDbContext>()
                .UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);
            await db.GetService<IMigrator>().MigrateAsync("20261126152408_GitHubRepositories", cancellationToken: ct);

            // What the earlier version left: a push whose message was not dispatched yet, and one
            // whose message was (its run exists already). Submissions and runs in that version's
            // columns: later migrations add some the model now has.
            var assessment = new AssessmentBuilder().AddTo(db);
            await db.SaveChangesAsync(ct);
            var pending = new Submission { Assessment = assessment, CommitSha = new string('1', 40) };
            var dispatched = new Submission { Assessment = assessment, CommitSha = new string('2', 40) };
            foreach (var submission in new[] { pending, dispatched })
            {
                await db.Database.ExecuteSqlAsync($"INSERT INTO submissions (id, assessment_id, commit_sha, branch, source, received_at, is_final) VALUES ({submission.Id}, {assessment.Id}, {submission.CommitSha}, 'main', 'BuiltInPush', now(), false)", ct);
            }

            await db.Database.ExecuteSqlAsync($"INSERT INTO grading_runs (id, kind, scenario_version_id, submission_id, status, attempt, queued_at, log_truncated) VALUES ({Guid.CreateVersion7()}, 'Candidate', {assessment.ScenarioVersionId}, {dispatched.Id}, 'Queued', 0, now(), false)", ct);
            var message = new OutboxMessage { Kind = "grade-submission", Payload = $"{{\"SubmissionId\":\"{pending.Id}\"}}" };
            var done = new OutboxMessage { Kind = "grade-submission", Payload = $"{{\"SubmissionId\":\"{dispatched.Id}\"}}", DispatchedAt = DateTimeOffset.UtcNow };
            db.OutboxMessages.AddRange(message, done);
            await db.SaveChangesAsync(ct);

            await db.Database.MigrateAsync(ct);

            db.ChangeTracker.Clear();
            var run = await db.GradingRuns.SingleAsync(r => r.SubmissionId == pending.Id, ct);
            Assert.Equal((GradingKind.Candidate, GradingStatus.Queued, assessment.ScenarioVersionId, null, 0), (run.Kind, run.Status, run.ScenarioVersionId, run.HangfireJobId, run.Attempt));
            Assert.Single(await db.GradingRuns.Where(r => r.SubmissionId == dispatched.Id).ToListAsync(ct));
            Assert.False(await db.OutboxMessages.AnyAsync(m => m.DispatchedAt == null, ct));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
