using System.Net;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Invitations;

/// <summary>The candidate's page through the running app, as a browser without an account uses it.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed partial class CandidatePageTests(WebApp app) : IAsyncLifetime, IDisposable
{
    private readonly string _organisation = $"cand-{Guid.NewGuid():N}"[..16];
    private readonly HttpClient _browser = app.CreateClient();
    private readonly GitClient _git = new();

    public async ValueTask InitializeAsync()
    {
        await using var db = app.Database.CreateContext();
        db.Organisations.Add(new Organisation { Slug = _organisation, Name = "Hiring" });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), CancellationToken.None);
        await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
        _browser.Dispose();
        _git.Dispose();
    }

    [Fact]
    public async Task TheCandidateStartsSeesTheTokenOnceCanReplaceItAndFinishes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, path) = await InviteAsync(ct);

        var invited = await _browser.GetStringAsync(path, ct);
        Assert.Contains("Start the assessment", invited);
        Assert.Contains("You have <strong>2 hours</strong>", invited);
        Assert.Contains("The brief", invited);

        var started = await PostAsync(path, "start", invited, ct);
        var token = Token().Match(started).Groups[1].Value;
        Assert.StartsWith("asmt_", token);
        Assert.Contains($"git clone https://assess.example.test/git/{_organisation}/", started);
        Assert.Matches("<time datetime=\"[0-9-]+T[0-9:]+Z\">", started);

        // Shown once: the page never shows it again, and the token works with git.
        var later = await _browser.GetStringAsync(path, ct);
        Assert.DoesNotContain(token, later);
        Assert.Contains("Issue a new token", later);
        var assessment = await AssessmentAsync(id, ct);
        var url = $"http://candidate:{token}@{app.BaseAddress.Authority}/git/{_organisation}/{assessment.Slug}.git";
        await _git.SucceedAsync(null, "clone", "--quiet", url, "work");

        var replaced = await PostAsync(path, "token", later, ct);
        var second = Token().Match(replaced).Groups[1].Value;
        Assert.NotEqual(token, second);
        Assert.False(AccessTokens.Matches(token, (await AssessmentAsync(id, ct)).AccessTokenHash));
        Assert.NotEqual(0, (await _git.RunAsync(null, "ls-remote", url)).ExitCode);

        var done = await PostAsync(path, "done", replaced, ct);
        Assert.Contains("This assessment is closed", done);
        Assert.Contains("Nothing was pushed.", done);
        Assert.Equal(AssessmentStatus.ReadyForReview, (await AssessmentAsync(id, ct)).Status);
        await using var db = app.Database.CreateContext();
        Assert.Equal(["assessment.invited", "assessment.started", "assessment.token-issued", "assessment.closed"],
            await db.AuditEvents.Where(e => e.SubjectId == id.ToString()).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(ct));
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.SubjectId == id.ToString() && e.Actor == "candidate", ct));
    }

    [Fact]
    public async Task TheCandidateFollowsEachPushWithItsPublicTestsAndNoResponseTheyCanReachNamesAHiddenTest()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, path) = await InviteAsync(ct);
        var secret = path["/invitations/".Length..];
        var responses = new List<(string What, string Body)>();
        var invited = await _browser.GetStringAsync(path, ct);
        responses.Add(("the invitation", invited));
        Assert.Contains("The hidden tests do not decide alone: a reviewer reads your change", invited);
        var started = await PostAsync(path, "start", invited, ct);
        responses.Add(("start", started));
        Assert.Contains("No push yet.", started);
        Assert.Matches("class=\"countdown\" data-deadline=\"[0-9-]+T[0-9:]+Z\"", started);

        // Two pushes: the first graded (a public test passed, a hidden one failed, metrics and a
        // finding recorded), the second being graded, its hidden phase under way.
        var (graded, running) = await PushesAsync(id, ct);
        var following = await _browser.GetStringAsync(path, ct);
        responses.Add(("the page while a push is graded", following));
        Assert.Contains("Shop.Tests.OrdersTests.Counts", following);
        Assert.Contains("Public tests: <strong>1 of 1 passed</strong>", following);
        Assert.Contains("Being graded.", following);
        Assert.Contains($"data-progress-url=\"/invitations/{secret}/gradings/{running}/progress\"", following);
        Assert.DoesNotContain($"/gradings/{graded}/progress", following);

        // The stream tells the candidate's own stages, never the grader's.
        await using (var db = app.Database.CreateContext())
        {
            await db.GradingRuns.Where(r => r.Id == running).ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, GradingStatus.Completed).SetProperty(r => r.Verdict, GradingVerdict.Passed).SetProperty(r => r.FinishedAt, DateTimeOffset.UtcNow), ct);
        }

        foreach (var grading in new[] { graded, running })
        {
            var stream = await _browser.GetStringAsync($"/invitations/{secret}/gradings/{grading}/progress", ct);
            responses.Add(($"the progress of {grading}", stream));
            Assert.EndsWith("event: finished\ndata: finished\n\n", stream);
        }

        Assert.Contains("\"stage\":\"build\"", responses[^1].Body);
        Assert.Contains("\"stage\":\"restart\"", responses[^1].Body);
        // Another assessment's link does not open this grading's stream.
        var (_, otherPath) = await InviteAsync(ct);
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync($"{otherPath}/gradings/{running}/progress", ct)).StatusCode);

        var reissued = await PostAsync(path, "token", following, ct);
        responses.Add(("a new token", reissued));
        var done = await PostAsync(path, "done", reissued, ct);
        responses.Add(("I'm done", done));
        responses.Add(("the closed page", await _browser.GetStringAsync(path, ct)));
        Assert.Contains("is what the reviewers see", done);

        // Every name the grader knows for its hidden side, its messages, the metrics and the findings.
        var package = await Scaffold.PackageAsync();
        string[] secrets =
        [
            .. package.Manifest.Hidden.Tests.Select(t => t.Name),
            "OrdersTakeOneStatement", "OrdersAreCorrect", "took 10 statements",
            "statements_per_request", "p50_latency", "Orders.Total() is new and public.",
            "hidden-tests", "after-restart", "benchmarks",
        ];
        var leaks = responses.SelectMany(r => secrets.Where(s => WebUtility.HtmlDecode(r.Body).Contains(s, StringComparison.OrdinalIgnoreCase)).Select(s => $"{r.What} shows '{s}'")).ToList();
        Assert.True(leaks.Count == 0, string.Join("; ", leaks));
    }

    /// <summary>Records two pushes of the assessment as the git host and the grading job leave them.</summary>
    private async Task<(Guid Graded, Guid Running)> PushesAsync(Guid assessmentId, CancellationToken ct)
    {
        await using var db = app.Database.CreateContext();
        var version = await db.Assessments.Where(a => a.Id == assessmentId).Select(a => a.ScenarioVersionId).SingleAsync(ct);
        var first = new Submission { AssessmentId = assessmentId, CommitSha = new string('1', 40), Message = "Load the greeting in one statement\n\nAnd keep the count.", ReceivedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        var second = new Submission { AssessmentId = assessmentId, CommitSha = new string('2', 40), Message = "Keep the count across restarts", ReceivedAt = DateTimeOffset.UtcNow };
        var graded = new GradingRun { Kind = GradingKind.Candidate, ScenarioVersionId = version, Submission = first, Status = GradingStatus.Running, Attempt = 1 };
        var running = new GradingRun { Kind = GradingKind.Candidate, ScenarioVersionId = version, Submission = second, Status = GradingStatus.Running, Attempt = 1 };
        db.GradingRuns.AddRange(graded, running);
        await db.SaveChangesAsync(ct);
        await StoredReports.ReplaceAsync(db, graded, Reviewing.ReportTests.Report(), ct);
        graded.Status = GradingStatus.Completed;
        db.GradingStageEvents.AddRange(
            Stage(graded, "build", StageSide.Candidate, StageResult.Ok),
            Stage(graded, "hidden-tests:main", StageSide.Grader, StageResult.Failed),
            Stage(running, "build", StageSide.Candidate, StageResult.Ok),
            Stage(running, "restart:after-restart", StageSide.Candidate, StageResult.Ok),
            Stage(running, "benchmarks", StageSide.Grader, StageResult.Ok),
            Stage(running, "hidden-tests:after-restart", StageSide.Grader, null));
        await db.SaveChangesAsync(ct);
        return (graded.Id, running.Id);
    }

    private static GradingStageEvent Stage(GradingRun run, string stage, StageSide side, StageResult? status) =>
        new() { GradingRunId = run.Id, Attempt = 1, Stage = stage, Side = side, Status = status, DurationMs = status is null ? null : 1200 };

    [Fact]
    public async Task AnUnknownLinkIsNotFoundAndAFormWithoutItsAntiforgeryTokenIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync("/invitations/inv_not-a-real-secret", ct)).StatusCode);
        var (id, path) = await InviteAsync(ct);

        var forged = await _browser.PostAsync($"{path}?handler=start", new FormUrlEncodedContent([]), ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(AssessmentStatus.Invited, (await AssessmentAsync(id, ct)).Status);
    }

    private async Task<(Guid Id, string Path)> InviteAsync(CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var invitation = await scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>().InviteAsync(
            new InvitationRequest("greeting", $"grace.{Guid.NewGuid():N}@example.com", "Grace Hopper", null, _organisation, null, null, TimeSpan.FromHours(2)),
            "test",
            cancellationToken);
        return (invitation.AssessmentId, new Uri(invitation.Link).AbsolutePath);
    }

    private async Task<Assessment> AssessmentAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = app.Database.CreateContext();
        return await db.Assessments.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken);
    }

    private async Task<string> PostAsync(string path, string handler, string page, CancellationToken cancellationToken)
    {
        var form = Forms().Matches(page).Single(m => m.Groups[1].Value.Contains($"handler={handler}", StringComparison.Ordinal));
        var response = await _browser.PostAsync(form.Groups[1].Value.Replace("&amp;", "&"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = form.Groups[2].Value,
        }), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    [GeneratedRegex("<code class=\"token\">([^<]+)</code>")]
    private static partial Regex Token();

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"[^>]*>.*?name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex Forms();
}
