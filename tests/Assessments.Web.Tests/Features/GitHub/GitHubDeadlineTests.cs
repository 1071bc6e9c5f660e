using Assessments.Web.Data;
using Assessments.Web.Features.Submissions;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.GitHub;

/// <summary>What reconciliation and the deadline do to GitHub repositories: a push whose webhook
/// never came is found, and at the close the candidate loses access before the last look.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class GitHubDeadlineTests(WebApp app) : IAsyncLifetime
{
    private readonly GitHubScenario _github = new(app);

    public async ValueTask InitializeAsync() => await _github.CreateAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task ReconciliationRecordsAHeadWhoseWebhookNeverCameButNotTheTemplatesCommit()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.ProvisionedAsync(ct);
        var repository = _github.Repository(await _github.AssessmentAsync(id, ct));

        // Only the generated template commit: nothing to record.
        Assert.Null(await ReconcileAsync(id, ct));

        var pushed = _github.GitHub.Push(repository, "Pushed while our webhook endpoint was down");
        var submission = await ReconcileAsync(id, ct);
        Assert.Equal((pushed, SubmissionSource.Reconciliation), (submission!.CommitSha, submission.Source));
        Assert.Null(await ReconcileAsync(id, ct));

        // The recurring job for GitHub repositories finds it too.
        var next = _github.GitHub.Push(repository, "And another");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RepositoryReconciliation>().RunAsync(RepositoryHost.GitHub, ct);
        }

        await using var db = app.Database.CreateContext();
        Assert.True(await db.Submissions.AnyAsync(s => s.AssessmentId == id && s.CommitSha == next, ct));
    }

    [Fact]
    public async Task ClosingRemovesACandidateWhoAcceptedTheInvitation()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.ProvisionedAsync(ct);
        var repository = _github.Repository(await _github.AssessmentAsync(id, ct));
        _github.GitHub.AcceptInvitation(repository, _github.Login);
        Assert.Contains(_github.Login, repository.Collaborators);

        await _github.LifecycleAsync(l => l.CloseAsync(id, "test", "done", ct));

        Assert.DoesNotContain(_github.Login, repository.Collaborators);
        Assert.Equal(AssessmentStatus.ReadyForReview, (await _github.AssessmentAsync(id, ct)).Status);
    }

    [Fact]
    public async Task AtTheDeadlineAccessIsRevokedFirstThenTheFinalCommitIsRecordedAndTheRepositoryArchived()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.ProvisionedAsync(ct, timeLimit: TimeSpan.FromSeconds(2));
        var repository = _github.Repository(await _github.AssessmentAsync(id, ct));
        // The candidate's invitation is still pending; their last push's webhook never arrives.
        var last = _github.GitHub.Push(repository, "Last minute");
        await Task.Delay(TimeSpan.FromSeconds(2.5), ct);

        var before = _github.Requests().Count;
        Assert.True(await _github.LifecycleAsync(l => l.CloseExpiredAsync(ct)) >= 1);

        var assessment = await _github.AssessmentAsync(id, ct);
        Assert.Equal(AssessmentStatus.Closed, assessment.Status);
        var final = Assert.Single(assessment.Submissions);
        Assert.Equal((last, true), (final.CommitSha, final.IsFinal));
        Assert.NotNull(assessment.AccessTokenRevokedAt);
        Assert.Empty(repository.Invitations);
        Assert.DoesNotContain(_github.Login, repository.Collaborators);
        Assert.True(repository.Archived);

        await using (var db = app.Database.CreateContext())
        {
            // The final grading is queued like any other.
            Assert.Single(await db.GradingRuns.Where(r => r.SubmissionId == final.Id).ToListAsync(ct));
        }

        var calls = _github.Requests().Skip(before).Select(r => $"{r.Method} {r.Path}").ToList();
        var revoked = calls.FindIndex(c => c.StartsWith("DELETE", StringComparison.Ordinal) && c.Contains("/invitations/", StringComparison.Ordinal));
        var removed = calls.FindIndex(c => c.StartsWith("DELETE", StringComparison.Ordinal) && c.Contains($"/collaborators/{_github.Login}", StringComparison.Ordinal));
        var lookedAtHead = calls.FindIndex(c => c.StartsWith("GET", StringComparison.Ordinal) && c.Contains("/git/ref", StringComparison.Ordinal));
        var archived = calls.FindIndex(c => c == $"PATCH /repositories/{repository.Id}");
        Assert.True(revoked >= 0 && removed >= 0 && revoked < lookedAtHead && removed < lookedAtHead && lookedAtHead < archived, string.Join("\n", calls));
    }

    [Fact]
    public async Task WhenGitHubFailsAtTheDeadlineThatAssessmentWaitsForTheNextRunAndTheOthersClose()
    {
        var ct = TestContext.Current.CancellationToken;
        var failing = await _github.ProvisionedAsync(ct, timeLimit: TimeSpan.FromSeconds(1));
        var other = await _github.ProvisionedAsync(ct, timeLimit: TimeSpan.FromSeconds(1));
        var failingRepository = _github.Repository(await _github.AssessmentAsync(failing, ct)).Id;
        _github.GitHub.Fail(r => r.Method == "GET" && r.Path == $"/repositories/{failingRepository}/invitations", 502, times: 5, message: "Bad Gateway");
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct);

        await _github.LifecycleAsync(l => l.CloseExpiredAsync(ct));

        Assert.Equal(AssessmentStatus.Started, (await _github.AssessmentAsync(failing, ct)).Status);
        Assert.Equal(AssessmentStatus.ReadyForReview, (await _github.AssessmentAsync(other, ct)).Status);
        await _github.LifecycleAsync(l => l.CloseExpiredAsync(ct));
        Assert.Equal(AssessmentStatus.ReadyForReview, (await _github.AssessmentAsync(failing, ct)).Status);
    }

    private async Task<Submission?> ReconcileAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RepositoryReconciliation>().ReconcileAsync(id, cancellationToken);
    }
}
