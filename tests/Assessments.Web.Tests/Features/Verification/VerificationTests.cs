using Assessments.Runner.Execution;
using Assessments.Runner.Sandbox;
using Assessments.Scenarios;
using Assessments.Tests.Shared;
using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Operations;
using Assessments.Web.Features.Sandbox;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Features.Verification;
using Assessments.Web.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Tests.Features.Verification;

/// <summary>Decision 020 on a database of its own (the current sandbox image is the whole
/// database's): an invitation gets the newest version verified on the workers' image, is refused
/// with what to do when there is none, and an admin's override is audited; "Verify now" twice
/// queues one verification; a sandbox that fails leaves the verification failed, never "not
/// verified".</summary>
public sealed class VerificationTests(WebApp app, MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime, IDisposable
{
    private static readonly SandboxImage ImageA = new("assessments-sandbox:a", "sha256:" + new string('a', 64), "inputs-a");
    private static readonly SandboxImage ImageB = new("assessments-sandbox:b", "sha256:" + new string('b', 64), "inputs-b");

    private readonly TestPackage _package = new();
    private readonly string _organisation = $"verify-{Guid.NewGuid():N}"[..16];

    public async ValueTask InitializeAsync()
    {
        await database.ResetAsync();
        await using var db = database.CreateContext();
        db.Organisations.Add(new Organisation { Slug = _organisation, Name = "Verifying" });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose() => _package.Dispose();

    [Fact]
    public async Task AnInvitationGetsTheNewestVersionVerifiedOnTheWorkersImageAndIsRefusedWithWhatToDoWithoutOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await ImportAsync(ct);

        // No worker has said what it grades in: nothing can have verified on it.
        var noImage = await RefusedAsync(ct);
        Assert.Contains("no worker has reported its sandbox image yet", noImage);

        await RecordAsync(ImageA, ct);
        var never = await RefusedAsync(ct);
        Assert.Contains($"tiny 1.0 ({first[..12]}) is not verified on the sandbox image {new string('a', 12)}", never);
        Assert.Contains("\"Verify now\" on /scenarios/tiny", never);
        Assert.Contains("`assess verification queue tiny`", never);
        Assert.Contains("--allow-unverified", never);

        await VerificationAsync(first, ScenarioVerificationStatus.Verified, ImageA, ct);
        var invited = await InviteAsync(Request(), ct);
        Assert.False(invited.Unverified);
        Assert.Equal(first, await AssignedHashAsync(invited, ct));

        // A new version does not stop hiring while it waits to be verified: the verified one is assigned.
        _package.Write("template/README.md", "# Tiny, version two\n");
        var second = await ImportAsync(ct);
        Assert.Equal(first, await AssignedHashAsync(await InviteAsync(Request(), ct), ct));

        // A new image: what verified on the old one is not verified on this one.
        await RecordAsync(ImageB, ct);
        var oldImage = await RefusedAsync(ct);
        Assert.Contains($"({second[..12]}) is not verified on the sandbox image {new string('b', 12)}", oldImage);
        await VerificationAsync(second, ScenarioVerificationStatus.Verified, ImageA, ct);
        Assert.Contains($"verified on the sandbox image {new string('a', 12)}, not on the image the workers run now ({new string('b', 12)})", await RefusedAsync(ct));
        await VerificationAsync(second, ScenarioVerificationStatus.NotVerified, ImageB, ct, "variant x was expected to fail Y, but everything passed");
        Assert.Contains("did not verify on the sandbox image bbbbbbbbbbbb (1 problem(s), the first: variant x was expected to fail Y, but everything passed)", await RefusedAsync(ct));

        // The admin's override assigns the newest version, says so, and is audited with the reason.
        var overridden = await InviteAsync(Request() with { AllowUnverified = true }, ct);
        Assert.True(overridden.Unverified);
        Assert.Equal(second, await AssignedHashAsync(overridden, ct));
        await using var db = database.CreateContext();
        var audit = await db.AuditEvents.Where(e => e.SubjectId == overridden.AssessmentId.ToString()).OrderBy(e => e.Id).ToListAsync(ct);
        Assert.Equal(["assessment.invited", "assessment.unverified-version-allowed"], audit.Select(e => e.Action));
        Assert.Contains("did not verify on the sandbox image", audit[1].Data);
        Assert.Equal("admin@example.com", audit[1].Actor);
    }

    [Fact]
    public async Task ARefusedInvitationSavesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await ImportAsync(ct);
        await RecordAsync(ImageA, ct);
        var request = Request();

        await RefusedAsync(ct, request);

        await using var db = database.CreateContext();
        Assert.Equal(0, await db.Assessments.CountAsync(ct));
        Assert.Equal(0, await db.Candidates.CountAsync(ct));
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.SubjectType == "assessment", ct));
    }

    [Fact]
    public async Task VerifyNowTwiceQueuesOneVerificationWithOneJobAndAnAuditEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        var hash = await ImportAsync(ct);
        var jobs = new RecordingJobClient();
        Guid versionId;
        await using (var db = database.CreateContext())
        {
            versionId = await db.ScenarioVersions.Where(v => v.ContentHash == hash).Select(v => v.Id).SingleAsync(ct);
        }

        ScenarioVerification first, second;
        await using (var db = database.CreateContext())
        {
            var queued = await new VerificationQueue(db, jobs).QueueAsync(versionId, "author@example.com", ct);
            Assert.True(queued.New);
            first = queued.Verification;
        }

        await using (var db = database.CreateContext())
        {
            var queued = await new VerificationQueue(db, jobs).QueueAsync(versionId, "admin@example.com", ct);
            Assert.False(queued.New);
            second = queued.Verification;
        }

        Assert.Equal(first.Id, second.Id);
        var job = Assert.Single(jobs.Created);
        Assert.Equal((typeof(VerificationJob), nameof(VerificationJob.RunAsync)), (job.Type, job.Method.Name));
        Assert.Equal(first.Id, job.Args[0]);
        Assert.IsType<EnqueuedState>(jobs.States.Single());
        // On the workers' grading queue (Hangfire applies the method's attribute as it stores the job).
        Assert.Equal("grading", job.Method.GetCustomAttributes(typeof(QueueAttribute), inherit: true).OfType<QueueAttribute>().Single().Queue);

        await using var check = database.CreateContext();
        var stored = await check.ScenarioVerifications.SingleAsync(ct);
        Assert.Equal((ScenarioVerificationStatus.Queued, "author@example.com", "job-1"), (stored.Status, stored.RequestedBy, stored.HangfireJobId));
        var audit = await check.AuditEvents.SingleAsync(e => e.Action == "scenario.verification-requested", ct);
        Assert.Equal(("scenario", "tiny", "author@example.com"), (audit.SubjectType, audit.SubjectId, audit.Actor));

        // A row a crash left without its job gets one when someone asks again.
        await check.ScenarioVerifications.ExecuteUpdateAsync(u => u.SetProperty(v => v.HangfireJobId, (string?)null), ct);
        await using (var db = database.CreateContext())
        {
            Assert.Equal(first.Id, (await new VerificationQueue(db, jobs).QueueAsync(versionId, "admin@example.com", ct)).Verification.Id);
        }

        Assert.Equal(2, jobs.Created.Count);
        Assert.Equal(1, await check.ScenarioVerifications.CountAsync(ct));
    }

    [Fact]
    public async Task ASandboxThatIsNotThereFailsTheVerificationAfterItsRetryAndNeverBlamesThePackage()
    {
        var ct = TestContext.Current.CancellationToken;
        var hash = await ImportAsync(ct);
        Guid id;
        await using (var db = database.CreateContext())
        {
            var version = await db.ScenarioVersions.SingleAsync(v => v.ContentHash == hash, ct);
            var verification = new ScenarioVerification { ScenarioVersionId = version.Id, RequestedBy = "author@example.com" };
            db.ScenarioVerifications.Add(verification);
            await db.SaveChangesAsync(ct);
            id = verification.Id;
        }

        for (var attempt = 1; attempt <= VerificationJob.MaxAttempts; attempt++)
        {
            await using (var db = database.CreateContext())
            {
                var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() => Job(db).RunAsync(id, ct));
                Assert.Contains("assessments-sandbox:missing-for-this-test", error.Message);
            }

            await using var check = database.CreateContext();
            var stored = await check.ScenarioVerifications.SingleAsync(v => v.Id == id, ct);
            Assert.Equal(attempt, stored.Attempt);
            Assert.Equal(attempt < VerificationJob.MaxAttempts ? ScenarioVerificationStatus.Queued : ScenarioVerificationStatus.Failed, stored.Status);
            Assert.Contains("missing-for-this-test", stored.Error);
            Assert.Empty(stored.Problems);
        }

        await using var after = database.CreateContext();
        Assert.Null((await after.ScenarioVersions.SingleAsync(v => v.ContentHash == hash, ct)).VerifiedAt);
        Assert.Single(await after.AuditEvents.Where(e => e.Action == "scenario.verification-failed").ToListAsync(ct));

        // A finished verification is left alone if its job runs again.
        await using (var db = database.CreateContext())
        {
            await Job(db).RunAsync(id, ct);
        }

        Assert.Equal(VerificationJob.MaxAttempts, (await after.ScenarioVerifications.AsNoTracking().SingleAsync(v => v.Id == id, ct)).Attempt);
    }

    private VerificationJob Job(AssessmentsDbContext db)
    {
        var sandbox = Options.Create(new SandboxOptions { Image = "assessments-sandbox:missing-for-this-test", CacheFolder = Path.Combine(Path.GetTempPath(), "verification-job-tests") });
        var runtime = new SandboxRuntime(sandbox, TimeProvider.System, NullLogger<SandboxRuntime>.Instance);
        return new VerificationJob(db, runtime, new GradingEngine(sandbox.Value.GradingEngine), sandbox, Npgsql.NpgsqlDataSource.Create(database.ConnectionString), new OperationsMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebApp.TestMeter), NullLogger<VerificationJob>.Instance);
    }

    private InvitationRequest Request() =>
        new("tiny", $"ada.{Guid.NewGuid():N}@example.com", "Ada Lovelace", null, _organisation, null, null, TimeSpan.FromHours(2));

    private async Task<string> ImportAsync(CancellationToken ct)
    {
        var package = _package.Load().GetPackageOrThrow(_package.Display);
        await using var db = database.CreateContext();
        await new ScenarioImporter(db).ImportAsync(package, ct);
        return package.ContentHash;
    }

    private async Task RecordAsync(SandboxImage image, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        await SandboxImages.RecordAsync(db, image, current: true, ct);
    }

    private async Task VerificationAsync(string hash, ScenarioVerificationStatus status, SandboxImage image, CancellationToken ct, params string[] problems)
    {
        await using var db = database.CreateContext();
        var version = await db.ScenarioVersions.SingleAsync(v => v.ContentHash == hash, ct);
        db.ScenarioVerifications.Add(new ScenarioVerification
        {
            ScenarioVersionId = version.Id,
            Status = status,
            ImageId = image.Id,
            RequestedBy = "author@example.com",
            StartedAt = DateTimeOffset.UtcNow,
            FinishedAt = DateTimeOffset.UtcNow,
            Attempt = 1,
            Problems = [.. problems],
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The web app's lifecycle, on this class's database.</summary>
    private async Task<Invitation> InviteAsync(InvitationRequest request, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = database.CreateContext();
        var lifecycle = ActivatorUtilities.CreateInstance<AssessmentLifecycle>(scope.ServiceProvider, db);
        return await lifecycle.InviteAsync(request, "admin@example.com", ct);
    }

    private async Task<string> RefusedAsync(CancellationToken ct, InvitationRequest? request = null) =>
        (await Assert.ThrowsAsync<AssessmentStateException>(() => InviteAsync(request ?? Request(), ct))).Message;

    private async Task<string> AssignedHashAsync(Invitation invitation, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        return await db.Assessments.Where(a => a.Id == invitation.AssessmentId).Select(a => a.ScenarioVersion!.ContentHash).SingleAsync(ct);
    }

    /// <summary>Records what would have gone to Hangfire.</summary>
    private sealed class RecordingJobClient : IBackgroundJobClient
    {
        public List<Job> Created { get; } = [];

        public List<IState> States { get; } = [];

        public string Create(Job job, IState state)
        {
            Created.Add(job);
            States.Add(state);
            return $"job-{Created.Count}";
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => false;
    }
}
