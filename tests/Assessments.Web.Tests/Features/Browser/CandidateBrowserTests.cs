using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Assessments.Web.Tests.Features.Browser;

/// <summary>A candidate in a real browser, from the invitation link to "I'm done": starts, pushes
/// with the real git client to the built-in host, watches the push wait for and finish its grading
/// without reloading, reads the public tests of that push, and finishes. The grading's outcome is
/// stored as the grading job stores it (the sandbox grades in the end-to-end tests); the page is
/// photographed at desktop and phone width.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class CandidateBrowserTests(WebApp app, Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private readonly string _organisation = $"cb-{Guid.NewGuid():N}"[..16];
    private readonly GitClient _git = new();
    private readonly NpgsqlDataSource _worker = NpgsqlDataSource.Create(app.Database.ConnectionString);

    public async ValueTask InitializeAsync()
    {
        await using var db = app.Database.CreateContext();
        db.Organisations.Add(new Organisation { Slug = _organisation, Name = "Hiring" });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), CancellationToken.None);
        await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash);
    }

    public async ValueTask DisposeAsync()
    {
        _git.Dispose();
        await _worker.DisposeAsync();
    }

    [Fact]
    public async Task ACandidateStartsPushesWithGitSeesThePublicTestsOfThatPushAndFinishes()
    {
        var ct = TestContext.Current.CancellationToken;
        Uri link;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var invitation = await scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>().InviteAsync(
                new InvitationRequest("greeting", $"grace.{Guid.NewGuid():N}@example.com", "Grace Hopper", null, _organisation, null, null, TimeSpan.FromHours(2)),
                "test",
                ct);
            link = new Uri(invitation.Link);
        }

        await using var context = await chromium.NewContextAsync(app.BaseAddress, phone: false);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(link.AbsolutePath);
        await Assertions.Expect(page.Locator("ul.rules")).ToContainTextAsync("The hidden tests do not decide alone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start the assessment" }).ClickAsync();
        var token = await page.Locator("code.token").InnerTextAsync();
        var clone = (await page.Locator("dl.clone code").First.InnerTextAsync())["git clone ".Length..];

        // The countdown runs in the browser.
        var countdown = page.Locator("p.countdown");
        await Assertions.Expect(countdown).ToContainTextAsync("min");
        var before = await countdown.InnerTextAsync();
        await Assertions.Expect(countdown).Not.ToHaveTextAsync(before, new() { Timeout = 5000 });

        // A push with the real git client, to the built-in host.
        var path = new Uri(clone).AbsolutePath;
        var url = $"http://candidate:{token}@{app.BaseAddress.Authority}{path}";
        await _git.SucceedAsync(null, "clone", "--quiet", url, "work");
        var commit = await _git.CommitAsync("work", "NOTES.md", "One statement per greeting.\n", "Load the greeting in one statement");
        await _git.SucceedAsync("work", "push", "--quiet", "origin", "main");

        // It waits for its grading, followed live; when the grading ends the page shows its public tests.
        var runId = await WaitForGradingAsync(commit, ct);
        await page.GotoAsync(link.AbsolutePath);
        var push = page.Locator("li.your-push").First;
        await Assertions.Expect(push).ToContainTextAsync(commit[..12]);
        await Assertions.Expect(push).ToContainTextAsync("Waiting to be graded.");
        await Assertions.Expect(push.Locator("[data-progress-url]")).ToHaveCountAsync(1);
        await FinishGradingAsync(runId, ct);
        await Assertions.Expect(push).ToContainTextAsync("Public tests: 1 of 2 passed", new() { Timeout = 15_000 });
        await Assertions.Expect(push.Locator(".subject")).ToHaveTextAsync("Load the greeting in one statement");
        await Assertions.Expect(push.Locator("ul.public-tests li.fail")).ToContainTextAsync("GreetsEveryoneWithoutAName");
        await Assertions.Expect(push.Locator("ul.public-tests li.fail pre")).ToContainTextAsync("Expected: hello");
        await Assertions.Expect(page.Locator("body")).Not.ToContainTextAsync("GreetingTakesOneStatement");
        await chromium.ScreenshotAsync(page, "candidate-pushes");

        await using (var phone = await chromium.NewContextAsync(app.BaseAddress, phone: true))
        {
            var small = await phone.NewPageAsync();
            await small.GotoAsync(link.AbsolutePath);
            await Assertions.Expect(small.Locator("li.your-push")).ToHaveCountAsync(1);
            await chromium.ScreenshotAsync(small, "candidate-pushes-phone");
        }

        // "I'm done" asks first; then the page says what was recorded as final.
        string? asked = null;
        page.Dialog += async (_, dialog) =>
        {
            asked = dialog.Message;
            await dialog.AcceptAsync();
        };
        await page.GetByRole(AriaRole.Button, new() { Name = "I'm done" }).ClickAsync();
        await Assertions.Expect(page.Locator("article.candidate")).ToContainTextAsync($"Your final commit {commit[..12]} is what the reviewers see.");
        Assert.Contains("final submission", asked);
        await Assertions.Expect(page.Locator("li.your-push .badge.final")).ToHaveCountAsync(1);
        await chromium.ScreenshotAsync(page, "candidate-done");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AnAdminInvitesTwoFromACsvThenRevokesOneWhoseLinkStopsAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        var unique = Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(_git.Folder, "candidates.csv");
        await File.WriteAllTextAsync(file, $"name,email\nKatherine Johnson,katherine.{unique}@example.com\nDorothy Vaughan,dorothy.{unique}@example.com\nDorothy Again,DOROTHY.{unique}@example.com\n", ct);

        await using var context = await chromium.NewContextAsync(app.BaseAddress, phone: false);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await SignInAsync(page, data.MemberEmail);
        await page.GotoAsync("/assessments");
        await page.GetByRole(AriaRole.Link, new() { Name = "Invite candidates" }).ClickAsync();
        var many = page.Locator("section.invite-many");
        await many.Locator("select[name='Form.Scenario']").SelectOptionAsync("greeting");
        await many.Locator("input[name=candidates]").SetInputFilesAsync(file);
        await many.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();

        // The preview: two rows to send, the duplicate flagged, nothing sent yet.
        var preview = page.Locator("section.invite-preview");
        await Assertions.Expect(preview).ToContainTextAsync("2 of 3 rows can be sent");
        await Assertions.Expect(preview.Locator("tr.problem")).ToContainTextAsync("The same address as line 3.");
        await chromium.ScreenshotAsync(page, "invite-preview");
        await preview.GetByRole(AriaRole.Button, new() { Name = "Send 2 invitations" }).ClickAsync();
        var sent = page.Locator("section.invite-results tr.sent");
        await Assertions.Expect(sent).ToHaveCountAsync(2);
        await chromium.ScreenshotAsync(page, "invite-sent");
        var link = new Uri(await sent.Filter(new() { HasTextString = "Katherine" }).Locator("code.token").InnerTextAsync()).AbsolutePath;

        await using (var phone = await chromium.NewContextAsync(app.BaseAddress, phone: true))
        {
            var small = await phone.NewPageAsync();
            await SignInAsync(small, data.MemberEmail);
            await small.GotoAsync("/assessments/invite");
            await chromium.ScreenshotAsync(small, "invite-phone");
        }

        // Katherine starts; then the admin revokes her invitation, and her link and token stop at once.
        var candidate = await context.Browser!.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() });
        var hers = await candidate.NewPageAsync();
        hers.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await hers.GotoAsync(link);
        await hers.GetByRole(AriaRole.Button, new() { Name = "Start the assessment" }).ClickAsync();
        var token = await hers.Locator("code.token").InnerTextAsync();
        var repository = $"http://candidate:{token}@{app.BaseAddress.Authority}{new Uri((await hers.Locator("dl.clone code").First.InnerTextAsync())["git clone ".Length..]).AbsolutePath}";
        await _git.SucceedAsync(null, "ls-remote", repository);

        Guid id;
        await using (var db = app.Database.CreateContext())
        {
            var email = $"katherine.{unique}@example.com";
            id = await db.Assessments.Where(a => a.Candidate!.Email == email).Select(a => a.Id).SingleAsync(ct);
        }

        await page.GotoAsync($"/assessments/{id}");
        await page.GetByRole(AriaRole.Link, new() { Name = "The invitation: send again, extend, revoke" }).ClickAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.FillAsync("input[name=reason]", "The position was filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Revoked");
        await chromium.ScreenshotAsync(page, "invitation-revoked");

        // Her page as she left it: "I'm done" (posted from before the revocation) changes nothing; the link says why.
        await hers.GetByRole(AriaRole.Button, new() { Name = "I'm done" }).ClickAsync();
        await Assertions.Expect(hers.Locator("article.candidate")).ToContainTextAsync("The hiring team has withdrawn this invitation.");
        await Assertions.Expect(hers.Locator("p.error")).ToHaveCountAsync(1);
        await hers.GotoAsync(link);
        await Assertions.Expect(hers.Locator("article.candidate")).ToContainTextAsync("The hiring team has withdrawn this invitation.");
        await chromium.ScreenshotAsync(hers, "candidate-withdrawn");
        Assert.NotEqual(0, (await _git.RunAsync(null, "ls-remote", repository)).ExitCode);
        await candidate.CloseAsync();
        Assert.Empty(errors);
    }

    private Task SignInAsync(IPage page, string email) => app.SignInAsync(page, email);

    /// <summary>The git host records a push once git has finished receiving it: its queued grading.</summary>
    private async Task<Guid> WaitForGradingAsync(string commit, CancellationToken ct)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(200))
        {
            await using var db = app.Database.CreateContext();
            if (await db.GradingRuns.Where(r => r.Submission!.CommitSha == commit).Select(r => (Guid?)r.Id).SingleOrDefaultAsync(ct) is { } id)
            {
                return id;
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"The push of {commit} was not recorded within 30 s.");
    }

    /// <summary>What the grading job leaves once the sandbox is done: the report stored, the run
    /// completed, and the notification every web process listens for.</summary>
    private async Task FinishGradingAsync(Guid runId, CancellationToken ct)
    {
        await using (var db = app.Database.CreateContext())
        {
            var run = await db.GradingRuns.Include(r => r.Submission).SingleAsync(r => r.Id == runId, ct);
            // The job reads the commit's message from the repository as it starts.
            run.Submission!.Message ??= "Load the greeting in one statement\n\nThe counter is in the database.";
            var report = Reviewing.ReportTests.Report() with
            {
                Tests =
                [
                    new TestOutcome { Name = "Greeting.Tests.GreeterTests.GreetsByName", Visibility = TestVisibility.Public, Status = TestStatus.Pass, DurationMs = 3 },
                    new TestOutcome { Name = "Greeting.Tests.GreeterTests.GreetsEveryoneWithoutAName", Visibility = TestVisibility.Public, Status = TestStatus.Fail, Message = "Assert.Equal() Failure: Strings differ\nExpected: hello\nActual:   hello, ", DurationMs = 4 },
                    new TestOutcome { Name = "GreetingTakesOneStatement", Visibility = TestVisibility.Hidden, Phase = "main", Status = TestStatus.Fail, Message = "took 10 statements", DurationMs = 40 },
                ],
            };
            run.Status = GradingStatus.Running;
            await StoredReports.ReplaceAsync(db, run, report, ct);
            run.Status = GradingStatus.Completed;
            run.FinishedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(ct);
        }

        await StageRecorder.NotifyAsync(_worker, runId, ct);
    }
}
