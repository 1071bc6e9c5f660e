using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Lifecycle;

/// <summary>An assessment from invitation to close through the lifecycle service the pages and the
/// command line share, with the real git client in the middle.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class AssessmentLifecycleTests(WebApp app) : IAsyncLifetime, IDisposable
{
    private readonly GitClient _git = new();
    private readonly string _organisation = $"hire-{Guid.NewGuid():N}"[..16];

    public async ValueTask InitializeAsync()
    {
        await using var db = app.Database.CreateContext();
        db.Organisations.Add(new Organisation { Slug = _organisation, Name = "Hiring" });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), CancellationToken.None);
        await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash);
    }

    [Fact]
    public async Task InvitedStartedPushedAndClosedTheNewestPushIsFinalAndTheRepositoryTakesNoMorePushes()
    {
        var ct = TestContext.Current.CancellationToken;
        var invitation = await LifecycleAsync(l => l.InviteAsync(Request(timeLimit: TimeSpan.FromHours(4)), "test", ct));
        Assert.StartsWith("https://assess.example.test/invitations/inv_", invitation.Link);

        var started = await LifecycleAsync(l => l.StartAsync(invitation.AssessmentId, "test", ct));
        Assert.StartsWith("https://assess.example.test/git/" + _organisation + "/ada-", started.CloneUrl);
        Assert.InRange(started.Deadline!.Value, DateTimeOffset.UtcNow.AddHours(3.9), DateTimeOffset.UtcNow.AddHours(4));
        var again = await Assert.ThrowsAsync<AssessmentStateException>(() => LifecycleAsync(l => l.StartAsync(invitation.AssessmentId, "test", ct)));
        Assert.Contains("is started, not invited", again.Message);

        // The clone URL's path, on this test's server.
        var url = $"http://{started.Username}:{started.Token}@{app.BaseAddress.Authority}{new Uri(started.CloneUrl!).AbsolutePath}";
        await _git.SucceedAsync(null, "clone", "--quiet", url, "work");
        await _git.CommitAsync("work", "NOTES.md", "one\n", "One");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");
        var newest = await _git.CommitAsync("work", "NOTES.md", "two\n", "Two");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");

        var closed = await LifecycleAsync(l => l.CloseAsync(invitation.AssessmentId, "test", "done", ct));
        Assert.Equal(AssessmentStatus.Closed, closed.Status);
        await LifecycleAsync(l => l.CloseAsync(invitation.AssessmentId, "test", "done", ct));

        await using var db = app.Database.CreateContext();
        var final = await db.Submissions.SingleAsync(s => s.AssessmentId == invitation.AssessmentId && s.IsFinal, ct);
        Assert.Equal(newest, final.CommitSha);
        Assert.Equal(2, await db.Submissions.CountAsync(s => s.AssessmentId == invitation.AssessmentId, ct));
        var actions = await db.AuditEvents.Where(e => e.SubjectId == invitation.AssessmentId.ToString()).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(ct);
        Assert.Equal(["assessment.invited", "assessment.started", "assessment.closed"], actions);
        await _git.SucceedAsync("work", "fetch", "--quiet", "origin");
        await _git.CommitAsync("work", "NOTES.md", "three\n", "Three");
        var late = await _git.RunAsync("work", "push", "origin", "main");
        Assert.NotEqual(0, late.ExitCode);
        Assert.Contains("remote: Assessments: this assessment is closed; pushes are no longer accepted.", late.Output);
    }

    [Fact]
    public async Task AtTheDeadlineThePushGitHeldIsRecordedAndMadeFinalEvenIfNobodyRecordedIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var invitation = await LifecycleAsync(l => l.InviteAsync(Request(timeLimit: TimeSpan.FromHours(2)), "test", ct));
        await LifecycleAsync(l => l.StartAsync(invitation.AssessmentId, "test", ct));
        string bare;
        await using (var db = app.Database.CreateContext())
        {
            var assessment = await db.Assessments.Include(a => a.Organisation).SingleAsync(a => a.Id == invitation.AssessmentId, ct);
            bare = Path.Combine(app.Repositories.FullName, assessment.Organisation!.Slug, $"{assessment.Slug}.git");
        }

        // Past the web app, straight into the repository, then the clock runs out.
        await _git.SucceedAsync(null, "clone", "--quiet", bare, "work");
        var commit = await _git.CommitAsync("work", "NOTES.md", "last minute\n", "Last minute");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");
        await using (var db = app.Database.CreateContext())
        {
            var assessment = await db.Assessments.SingleAsync(a => a.Id == invitation.AssessmentId, ct);
            assessment.StartedAt = DateTimeOffset.UtcNow.AddHours(-3);
            await db.SaveChangesAsync(ct);
        }

        var closed = await LifecycleAsync(l => l.CloseExpiredAsync(ct));

        Assert.True(closed >= 1);
        await using var check = app.Database.CreateContext();
        var state = await check.Assessments.Include(a => a.Submissions).SingleAsync(a => a.Id == invitation.AssessmentId, ct);
        Assert.Equal(AssessmentStatus.Closed, state.Status);
        var final = Assert.Single(state.Submissions);
        Assert.Equal(commit, final.CommitSha);
        Assert.True(final.IsFinal);
        Assert.Equal(SubmissionSource.Reconciliation, final.Source);
    }

    [Fact]
    public async Task ClosedWithoutAnyPushThereIsNothingToGradeAndItIsReadyForReviewAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var invitation = await LifecycleAsync(l => l.InviteAsync(Request(timeLimit: TimeSpan.FromHours(1)), "test", ct));
        await LifecycleAsync(l => l.StartAsync(invitation.AssessmentId, "test", ct));

        var closed = await LifecycleAsync(l => l.CloseAsync(invitation.AssessmentId, "test", "done", ct));

        Assert.Equal(AssessmentStatus.ReadyForReview, closed.Status);
        Assert.NotNull(closed.ClosedAt);
    }

    [Fact]
    public async Task AnInvitationThatCannotWorkIsRefusedWithWhy()
    {
        var ct = TestContext.Current.CancellationToken;
        async Task<string> Refused(InvitationRequest request) =>
            (await Assert.ThrowsAsync<AssessmentStateException>(() => LifecycleAsync(l => l.InviteAsync(request, "test", ct)))).Message;

        Assert.Equal("An assessment needs a deadline, a time limit or both.", await Refused(Request()));
        Assert.Contains("has passed already", await Refused(Request(deadline: DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal($"No scenario 'no-such-scenario' is imported for {_organisation}: `assess scenario import` it first.", await Refused(Request(timeLimit: TimeSpan.FromHours(1)) with { Scenario = "no-such-scenario" }));
        Assert.Equal("'not-an-address' is not an email address.", await Refused(Request(timeLimit: TimeSpan.FromHours(1)) with { CandidateEmail = "not-an-address" }));
        Assert.Equal("No organisation 'nobody'.", await Refused(Request(timeLimit: TimeSpan.FromHours(1)) with { Organisation = "nobody" }));
    }

    [Fact]
    public async Task AnExtensionMovesBothTheDeadlineAndTheTimeLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTimeOffset.UtcNow.AddDays(1);
        var invitation = await LifecycleAsync(l => l.InviteAsync(Request(deadline: deadline, timeLimit: TimeSpan.FromHours(4)), "test", ct));

        var extended = await LifecycleAsync(l => l.ExtendAsync(invitation.AssessmentId, TimeSpan.FromHours(1), "test", ct));

        Assert.Equal(deadline.AddHours(1), extended.Deadline!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromHours(5), extended.TimeLimit);
        Assert.Contains("extends nothing", (await Assert.ThrowsAsync<AssessmentStateException>(() => LifecycleAsync(l => l.ExtendAsync(invitation.AssessmentId, TimeSpan.Zero, "test", ct)))).Message);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose() => _git.Dispose();

    private InvitationRequest Request(DateTimeOffset? deadline = null, TimeSpan? timeLimit = null) =>
        new("greeting", $"Ada.{Guid.NewGuid():N}@Example.com", "Ada Lovelace", null, _organisation, null, deadline, timeLimit);

    private async Task<T> LifecycleAsync<T>(Func<AssessmentLifecycle, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>());
    }
}
