using System.Net;
using Assessments.Web.Data;
using Assessments.Web.Features.Git;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features.Git;

/// <summary>The built-in git host through a real Kestrel and the real git client: who can see a
/// repository, what a push may do, and what an accepted push records.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class GitHostTests(WebApp app) : IDisposable
{
    private readonly GitClient _git = new();

    [Fact]
    public async Task ACandidateClonesCommitsAndPushesAndEachNewHeadBecomesOneSubmissionWithItsGrading()
    {
        var repository = await RepositoryAsync(a => a.Status = AssessmentStatus.Started);
        await _git.SucceedAsync(null, "clone", "--quiet", repository.Url, "work");
        Assert.Equal(await BareRepository.HeadAsync(repository.BarePath, "main", TestContext.Current.CancellationToken), (await _git.SucceedAsync("work", "rev-parse", "HEAD")).Trim());
        Assert.Contains("Assessments", await _git.SucceedAsync("work", "log", "-1", "--format=%an"));

        var first = await _git.CommitAsync("work", "NOTES.md", "first try\n", "First try");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");
        // The same commit again is nothing new to git, and nothing new here.
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");
        var second = await _git.CommitAsync("work", "NOTES.md", "second try\n", "Second try");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");

        var runs = await WaitForGradingsAsync(repository.AssessmentId, 2);
        await using var db = app.Database.CreateContext();
        var submissions = await db.Submissions.Where(s => s.AssessmentId == repository.AssessmentId).OrderBy(s => s.ReceivedAt).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([first, second], submissions.Select(s => s.CommitSha));
        Assert.All(submissions, s => Assert.Equal(SubmissionSource.BuiltInPush, s.Source));
        Assert.Equal(submissions.Select(s => (Guid?)s.Id).Order(), runs.Select(r => r.SubmissionId).Order());
        Assert.All(runs, r => Assert.NotNull(r.HangfireJobId));
    }

    [Fact]
    public async Task NobodyWithoutTheRightTokenCanTellTheRepositoryExists()
    {
        var repository = await RepositoryAsync(a => a.Status = AssessmentStatus.Started);
        var other = await RepositoryAsync(a => a.Status = AssessmentStatus.Started);

        var wrong = await _git.RunAsync(null, "clone", repository.Url.Replace(repository.Token, "asmt_wrong", StringComparison.Ordinal), "wrong");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("not found", wrong.Output);
        var othersToken = await _git.RunAsync(null, "clone", repository.Url.Replace(repository.Token, other.Token, StringComparison.Ordinal), "others");
        Assert.NotEqual(0, othersToken.ExitCode);
        Assert.Contains("not found", othersToken.Output);

        // Over plain HTTP: no credentials is 401 everywhere; wrong ones are 404 whether or not the repository exists.
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var refs = $"{repository.Path}/info/refs?service=git-upload-pack";
        var missing = "/git/no-such-org/no-such-assessment.git/info/refs?service=git-upload-pack";
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(refs, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(missing, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(http, refs, "asmt_wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(http, missing, repository.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(http, refs, repository.Token)).StatusCode);
        // Only smart HTTP is served: no file of the bare repository by its path.
        Assert.Equal(HttpStatusCode.NotFound, (await Get(http, $"{repository.Path}/HEAD", repository.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(http, $"{repository.Path}/config", repository.Token)).StatusCode);

        // A revoked token is a wrong token.
        await using (var db = app.Database.CreateContext())
        {
            var assessment = await db.Assessments.SingleAsync(a => a.Id == repository.AssessmentId, TestContext.Current.CancellationToken);
            assessment.AccessTokenRevokedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Get(http, refs, repository.Token)).StatusCode);
    }

    [Fact]
    public async Task APushAfterTheDeadlineIsRefusedWithAMessageTheClientPrintsAndRecordsNothing()
    {
        var repository = await RepositoryAsync(a =>
        {
            a.Status = AssessmentStatus.Started;
            a.StartedAt = DateTimeOffset.UtcNow.AddHours(-5);
            a.TimeLimit = TimeSpan.FromHours(4);
            a.Deadline = DateTimeOffset.UtcNow.AddDays(3);
        });
        await _git.SucceedAsync(null, "clone", "--quiet", repository.Url, "work");
        var before = (await _git.SucceedAsync("work", "rev-parse", "origin/main")).Trim();
        await _git.CommitAsync("work", "NOTES.md", "late\n", "Late");

        var push = await _git.RunAsync("work", "push", "origin", "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("remote: Assessments: the deadline (", push.Output);
        Assert.Contains("has passed; this push was not accepted.", push.Output);
        Assert.Contains("pre-receive hook declined", push.Output);
        Assert.Equal(before, await BareRepository.HeadAsync(repository.BarePath, "main", TestContext.Current.CancellationToken));
        await using var db = app.Database.CreateContext();
        Assert.False(await db.Submissions.AnyAsync(s => s.AssessmentId == repository.AssessmentId, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(AssessmentStatus.Invited, "this assessment has not started yet: open your invitation and press start first.")]
    [InlineData(AssessmentStatus.Closed, "this assessment is closed; pushes are no longer accepted.")]
    public async Task APushOutsideTheAssessmentIsRefused(AssessmentStatus status, string message)
    {
        var repository = await RepositoryAsync(a =>
        {
            a.Status = status;
            a.StartedAt = status == AssessmentStatus.Invited ? null : a.StartedAt;
            a.ClosedAt = status == AssessmentStatus.Closed ? DateTimeOffset.UtcNow.AddMinutes(-1) : null;
        });
        await _git.SucceedAsync(null, "clone", "--quiet", repository.Url, "work");
        await _git.CommitAsync("work", "NOTES.md", "x\n", "X");

        var push = await _git.RunAsync("work", "push", "origin", "main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains($"remote: Assessments: {message}", push.Output);
    }

    [Fact]
    public async Task OnlyTheDefaultBranchMovesForwardOtherBranchesForcePushesAndDeletionsAreRefused()
    {
        var repository = await RepositoryAsync(a => a.Status = AssessmentStatus.Started);
        await _git.SucceedAsync(null, "clone", "--quiet", repository.Url, "work");
        var template = (await _git.SucceedAsync("work", "rev-parse", "HEAD")).Trim();
        await _git.CommitAsync("work", "NOTES.md", "one\n", "One");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");

        var branch = await _git.RunAsync("work", "push", "origin", "main:experiment");
        Assert.NotEqual(0, branch.ExitCode);
        Assert.Contains("remote: Assessments: only main counts; experiment was refused. Push your work to main.", branch.Output);

        await _git.SucceedAsync("work", "reset", "--quiet", "--hard", template);
        await _git.CommitAsync("work", "NOTES.md", "rewritten\n", "Rewritten");
        var force = await _git.RunAsync("work", "push", "--force", "origin", "main");
        Assert.NotEqual(0, force.ExitCode);
        Assert.Contains("remote: Assessments: main cannot be rewritten (this was a force push).", force.Output);

        var delete = await _git.RunAsync("work", "push", "origin", ":main");
        Assert.NotEqual(0, delete.ExitCode);
        Assert.Contains("remote: Assessments: main cannot be deleted.", delete.Output);

        var tag = await _git.RunAsync("work", "push", "origin", "HEAD:refs/tags/v1");
        Assert.NotEqual(0, tag.ExitCode);
        Assert.Contains("remote: Assessments: refs/tags/v1 was refused: only branches can be pushed.", tag.Output);

        await using var db = app.Database.CreateContext();
        Assert.Equal(1, await db.Submissions.CountAsync(s => s.AssessmentId == repository.AssessmentId, TestContext.Current.CancellationToken));
    }

    public void Dispose() => _git.Dispose();

    private static Task<HttpResponseMessage> Get(HttpClient http, string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"candidate:{token}")));
        return http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<List<GradingRun>> WaitForGradingsAsync(Guid assessmentId, int count)
    {
        for (var waited = 0; ; waited++)
        {
            await using var db = app.Database.CreateContext();
            var runs = await db.GradingRuns.Where(r => r.Submission!.AssessmentId == assessmentId && r.HangfireJobId != null).ToListAsync(TestContext.Current.CancellationToken);
            if (runs.Count >= count || waited > 100)
            {
                return runs;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task MembersOfTheHiringOrganisationCloneWithTheirAccountButNeverPushAndOthersSeeNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        // An organisation that does not review blind: there a reviewer clones before reviewing
        // (the blind refusal is in AuthorizationMatrixTests).
        var repository = await RepositoryAsync(a =>
        {
            (a.Status, a.ClosedAt) = (AssessmentStatus.Closed, DateTimeOffset.UtcNow);
            a.Organisation!.BlindReview = false;
        });
        var reviewer = await app.CreateUserAsync($"rev-{Guid.NewGuid():N}@example.com", "Reviewer-Pass-1");
        var outsider = await app.CreateUserAsync($"out-{Guid.NewGuid():N}@example.com", "Outsider-Pass-1");
        await using (var db = app.Database.CreateContext())
        {
            var organisationId = (await db.Assessments.SingleAsync(a => a.Id == repository.AssessmentId, ct)).OrganisationId;
            db.Memberships.Add(new Membership { OrganisationId = organisationId, UserId = reviewer.Id, Role = OrganisationRole.Reviewer });
            // A member of another organisation only.
            var elsewhere = new Organisation { Slug = $"else-{Guid.NewGuid():N}"[..16], Name = "Elsewhere" };
            db.Organisations.Add(elsewhere);
            db.Memberships.Add(new Membership { Organisation = elsewhere, UserId = outsider.Id, Role = OrganisationRole.Admin });
            await db.SaveChangesAsync(ct);
        }

        string As(string email, string password) => $"http://{Uri.EscapeDataString(email)}:{Uri.EscapeDataString(password)}@{app.BaseAddress.Authority}{repository.Path}";

        await _git.SucceedAsync(null, "clone", "--quiet", As(reviewer.Email!, "Reviewer-Pass-1"), "review");
        await _git.CommitAsync("review", "NOTES.md", "a reviewer's edit\n", "Edit");
        var push = await _git.RunAsync("review", "push", "origin", "main");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("403", push.Output);

        var wrongPassword = await _git.RunAsync(null, "clone", As(reviewer.Email!, "not-the-password"), "wrong");
        Assert.NotEqual(0, wrongPassword.ExitCode);
        Assert.Contains("not found", wrongPassword.Output);
        var notMember = await _git.RunAsync(null, "clone", As(outsider.Email!, "Outsider-Pass-1"), "outsider");
        Assert.NotEqual(0, notMember.ExitCode);
        Assert.Contains("not found", notMember.Output);
    }

    private sealed record Repository(Guid AssessmentId, string Url, string Path, string BarePath, string Token);

    /// <summary>An assessment with a token and its bare repository seeded from the scaffold's template.</summary>
    private async Task<Repository> RepositoryAsync(Action<Assessment> configure)
    {
        var ct = TestContext.Current.CancellationToken;
        var (token, hash) = AccessTokens.Create();
        await using var db = app.Database.CreateContext();
        var assessment = new AssessmentBuilder().AddTo(db);
        assessment.AccessTokenHash = hash;
        assessment.StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        configure(assessment);
        await db.SaveChangesAsync(ct);
        var organisation = assessment.Organisation!.Slug;

        var bare = System.IO.Path.Combine(app.Repositories.FullName, organisation, $"{assessment.Slug}.git");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(bare)!);
        await TemplateRepository.SeedAsync(await Scaffold.PackageAsync(), bare, "main", ct);
        var path = $"/git/{organisation}/{assessment.Slug}.git";
        var url = $"http://candidate:{token}@{app.BaseAddress.Authority}{path}";
        return new Repository(assessment.Id, url, path, bare, token);
    }
}
