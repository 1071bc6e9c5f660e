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

    /// <summary>Writes an assessment built for the current model with only the columns the
    /// migration GitHubRepositories knew.</summary>
    private static async Task InsertAsEarlierVersionAsync(AssessmentsDbContext db, Assessment assessment, CancellationToken ct)
    {
        var organisation = assessment.Organisation!;
        var version = assessment.ScenarioVersion!;
        var scenario = version.Scenario!;
        var candidate = assessment.Candidate!;
        await db.Database.ExecuteSqlAsync($"INSERT INTO organisations (id, slug, name, default_repository_host, created_at) VALUES ({organisation.Id}, {organisation.Slug}, {organisation.Name}, 'BuiltIn', now())", ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO scenario_archives (content_hash, archive, size_bytes, created_at) VALUES ({version.ContentHash}, {new byte[] { 1, 2, 3 }}, 3, now())", ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO scenarios (id, organisation_id, slug, title, created_at) VALUES ({scenario.Id}, {organisation.Id}, {scenario.Slug}, {scenario.Title}, now())", ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO scenario_versions (id, scenario_id, content_hash, label, manifest, created_at) VALUES ({version.Id}, {scenario.Id}, {version.ContentHash}, {version.Label}, '{{}}', now())", ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO candidates (id, organisation_id, name, email, created_at) VALUES ({candidate.Id}, {organisation.Id}, {candidate.Name}, {candidate.Email}, now())", ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO assessments (id, organisation_id, candidate_id, scenario_version_id, slug, status, invited_at, deadline, time_limit, repository_host, created_at) VALUES ({assessment.Id}, {organisation.Id}, {candidate.Id}, {version.Id}, {assessment.Slug}, 'Invited', now(), {assessment.Deadline}, {assessment.TimeLimit}, 'BuiltIn', now())", ct);
        db.ChangeTracker.Clear();
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
            // The assessment in that version's columns too, so columns added since (a decision,
            // blind review) do not break the insert.
            var assessment = new AssessmentBuilder().AddTo(db);
            await InsertAsEarlierVersionAsync(db, assessment, ct);
            var pending = new Submission { Assessment = assessment, CommitSha = new string('1', 40) };
            var dispatched = new Submission { Assessment = assessment, CommitSha = new string('2', 40) };
            foreach (var submission in new[] { pending, dispatched })
            {
                await db.Database.ExecuteSqlAsync($"INSERT INTO submissions (id, assessment_id, commit_sha, branch, source, received_at, is_final) VALUES ({submission.Id}, {assessment.Id}, {submission.CommitSha}, 'main', 'BuiltInPush', now(), false)", ct);
            }

            await db.Database.ExecuteSqlAsync($"INSERT INTO grading_runs (id, kind, scenario_version_id, submission_id, status, attempt, queued_at, log_truncated) VALUES ({Guid.CreateVersion7()}, 'Candidate', {assessment.ScenarioVersionId}, {dispatched.Id}, 'Queued', 0, now(), false)", ct);
            db.ChangeTracker.Clear();
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
