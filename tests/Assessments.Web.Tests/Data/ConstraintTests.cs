using Assessments.Web.Data;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Assessments.Web.Tests.Data;

/// <summary>The rules that keep "nothing twice" true hold in the database itself, so a second
/// web node, a retried job or a hand-written SQL statement cannot break them.</summary>
public sealed class ConstraintTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    public async ValueTask InitializeAsync() => await database.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task SecondSubmissionOfTheSameCommitIsRejectedByTheDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        Guid assessmentId;
        await using (var db = database.CreateContext())
        {
            var assessment = new AssessmentBuilder().AddTo(db);
            db.Submissions.Add(new Submission { Assessment = assessment, CommitSha = Commit, Source = SubmissionSource.BuiltInPush });
            await db.SaveChangesAsync(ct);
            assessmentId = assessment.Id;
        }

        // A second process (a fresh context) recording the same push again.
        await using (var db = database.CreateContext())
        {
            db.Submissions.Add(new Submission { AssessmentId = assessmentId, CommitSha = Commit, Source = SubmissionSource.GitHubWebhook });
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
            AssertViolation(error, PostgresErrorCodes.UniqueViolation, "ix_submissions_assessment_id_commit_sha");
        }

        await using (var db = database.CreateContext())
        {
            Assert.Equal(1, await db.Submissions.CountAsync(s => s.AssessmentId == assessmentId, ct));
        }
    }

    [Fact]
    public async Task SameCommitInAnotherAssessmentIsASeparateSubmission()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        var first = new AssessmentBuilder().AddTo(db);
        var second = new AssessmentBuilder().AddTo(db);
        db.Submissions.Add(new Submission { Assessment = first, CommitSha = Commit });
        db.Submissions.Add(new Submission { Assessment = second, CommitSha = Commit });
        await db.SaveChangesAsync(ct);
        Assert.Equal(2, await db.Submissions.CountAsync(ct));
    }

    [Fact]
    public async Task SecondDeliveryWithTheSameIdIsRejectedByTheDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var db = database.CreateContext())
        {
            db.WebhookDeliveries.Add(new WebhookDelivery { Provider = "github", DeliveryId = "72d3162e-cc78-11e3-81ab-4c9367dc0958", Event = "push", Payload = "{}" });
            await db.SaveChangesAsync(ct);
        }

        await using (var db = database.CreateContext())
        {
            db.WebhookDeliveries.Add(new WebhookDelivery { Provider = "github", DeliveryId = "72d3162e-cc78-11e3-81ab-4c9367dc0958", Event = "push", Payload = "{}" });
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
            AssertViolation(error, PostgresErrorCodes.UniqueViolation, "ix_webhook_deliveries_provider_delivery_id");
        }
    }

    [Fact]
    public async Task OnlyOneSubmissionOfAnAssessmentIsFinal()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        var assessment = new AssessmentBuilder().AddTo(db);
        db.Submissions.Add(new Submission { Assessment = assessment, CommitSha = Commit, IsFinal = true });
        db.Submissions.Add(new Submission { Assessment = assessment, CommitSha = Commit.Replace('0', 'f'), IsFinal = true });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        AssertViolation(error, PostgresErrorCodes.UniqueViolation, "ix_submissions_assessment_id_final");
    }

    [Fact]
    public async Task CandidateGradingNeedsASubmission()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        var assessment = new AssessmentBuilder().AddTo(db);
        db.GradingRuns.Add(new GradingRun { Kind = GradingKind.Candidate, ScenarioVersion = assessment.ScenarioVersion });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        AssertViolation(error, PostgresErrorCodes.CheckViolation, "ck_grading_runs_submission");
    }

    [Fact]
    public async Task AssessmentNeedsADeadlineOrATimeLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        new AssessmentBuilder().WithDeadline(null).WithTimeLimit(null).AddTo(db);
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        AssertViolation(error, PostgresErrorCodes.CheckViolation, "ck_assessments_deadline_or_time_limit");
    }

    [Fact]
    public async Task StatusOutsideTheEnumIsRejectedEvenFromRawSql()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        var assessment = new AssessmentBuilder().AddTo(db);
        await db.SaveChangesAsync(ct);

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            db.Database.ExecuteSqlAsync($"UPDATE assessments SET status = 'Hired', started_at = now(), closed_at = now() WHERE id = {assessment.Id}", ct));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Equal("ck_assessments_status", error.ConstraintName);
    }

    [Fact]
    public async Task CommitShaMustBeAFullLowerCaseObjectId()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        var assessment = new AssessmentBuilder().AddTo(db);
        db.Submissions.Add(new Submission { Assessment = assessment, CommitSha = "HEAD" });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        AssertViolation(error, PostgresErrorCodes.CheckViolation, "ck_submissions_commit_sha");
    }

    [Fact]
    public async Task ScenarioSlugIsUniqueAmongGlobalScenariosToo()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        db.Scenarios.Add(new Scenario { Slug = "cache-stampede", Title = "Cache stampede" });
        db.Scenarios.Add(new Scenario { Slug = "cache-stampede", Title = "Cache stampede, again" });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        AssertViolation(error, PostgresErrorCodes.UniqueViolation, "ix_scenarios_organisation_id_slug");
    }

    [Fact]
    public async Task VersionCannotPointAtAPackageThatIsNotStored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateContext();
        db.ScenarioVersions.Add(new ScenarioVersion
        {
            Scenario = new Scenario { Slug = "webhooks", Title = "Webhooks" },
            ContentHash = new string('a', 64),
            Label = "1",
            Manifest = "{}",
        });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        AssertViolation(error, PostgresErrorCodes.ForeignKeyViolation, "fk_scenario_versions_scenario_archives_content_hash");
    }

    private static void AssertViolation(DbUpdateException error, string sqlState, string constraint)
    {
        var postgres = Assert.IsType<PostgresException>(error.InnerException);
        Assert.Equal(sqlState, postgres.SqlState);
        Assert.Equal(constraint, postgres.ConstraintName);
    }
}
