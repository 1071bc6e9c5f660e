using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Grading;
using Assessments.Web.Tests.Features.Reviewing;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Npgsql;

namespace Assessments.Web.Tests.Features.Browser;

/// <summary>A reviewer's afternoon in a real browser: sign in, filter the list, open a report
/// while its grading runs and watch the stages arrive, then read the finished report. Each page
/// is photographed at desktop and phone width into the artifacts folder.</summary>
public sealed class ReviewerBrowserTests(WebApp app, Chromium chromium) : IClassFixture<Chromium>, IAsyncDisposable
{
    private readonly NpgsqlDataSource _worker = NpgsqlDataSource.Create(app.Database.ConnectionString);

    [Fact]
    public async Task AReviewerFiltersTheListWatchesAGradingRunAndReadsItsReport()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(manifest: await ReportTests.ManifestAsync(Brief));
        await data.AddAssessmentsAsync(4, GradingVerdict.Passed, candidatePrefix: "Passing");
        await data.AddAssessmentsAsync(2, GradingVerdict.TestsFailed, candidatePrefix: "Failing");
        var (assessment, run) = await data.AddGradedAsync(null, status: GradingStatus.Running, candidateName: "Grace Hopper", message: "Load the orders with one query\n\nThe list issued one query per order.");

        await using var context = await chromium.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = ScriptErrors(page);
        await SignInThroughTheFormAsync(page, data.MemberEmail);
        await page.GotoAsync("/");
        await chromium.ScreenshotAsync(page, "home");
        // The script turned the UTC times into the reader's own.
        await page.GotoAsync("/assessments");
        Assert.Equal("1", await page.Locator("time[datetime]").First.GetAttributeAsync("data-local"));

        // The list, filtered to failed gradings through the form: the filter stays in the URL.
        await page.GotoAsync("/assessments");
        Assert.Equal(7, await page.Locator("table.assessments tbody tr").CountAsync());
        await chromium.ScreenshotAsync(page, "assessments-list");
        await page.SelectOptionAsync("select[name=verdict]", "TestsFailed");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForURLAsync("**/assessments?*verdict=TestsFailed*");
        Assert.Equal(2, await page.Locator("table.assessments tbody tr").CountAsync());
        Assert.Equal(2, await page.Locator("td[data-label=Candidate]", new() { HasTextString = "Failing" }).CountAsync());

        // The report of a running grading: stages appear as the worker writes them.
        await page.GotoAsync($"/assessments/{assessment.Id}");
        await RecordAsync(run.Id, new GradingProgress("build", Side.Candidate, null));
        await page.Locator("ol.stages li[data-stage='build'].running").WaitForAsync();
        await RecordAsync(run.Id, new GradingProgress("build", Side.Candidate, new StageOutcome("build", Side.Candidate, StageStatus.Ok, 8400, 0)));
        await RecordAsync(run.Id, new GradingProgress("hidden-tests:main", Side.Grader, null));
        await page.Locator("ol.stages li[data-stage='build'].ok").WaitForAsync();
        await page.Locator("ol.stages li[data-stage='hidden-tests:main'].running").WaitForAsync();
        await chromium.ScreenshotAsync(page, "report-live");

        // The grading ends: the page reloads by itself into the whole report.
        await FinishAsync(run.Id, ReportTests.Report(), ReportTests.Files(Notes));
        await page.Locator("svg.chart").First.WaitForAsync();
        Assert.Equal(2, await page.Locator("svg.chart").CountAsync());
        Assert.Contains("better", await page.Locator("figure.metric.primary .comparison").InnerTextAsync());
        Assert.Equal(1, await page.Locator("li.test.fail", new() { HasTextString = "OrdersTakeOneStatement" }).CountAsync());
        var findingRow = page.Locator("table.diff tr.finding-row", new() { HasTextString = "new-public-member" });
        Assert.Equal(1, await findingRow.CountAsync());
        // The finding sits under the line it is about.
        var lineAbove = findingRow.Locator("xpath=preceding-sibling::tr[1]");
        Assert.Equal("6", (await lineAbove.Locator("td.ln").Nth(1).InnerTextAsync()).Trim());
        Assert.Equal("Approach", await page.Locator(".candidate-notes h2").InnerTextAsync());
        await page.ClickAsync("details.brief > summary");
        Assert.Equal("slowest", await page.Locator("details.brief .markdown strong").InnerTextAsync());
        await chromium.ScreenshotAsync(page, "report");
        Assert.Empty(errors);

        await using var phone = await chromium.NewContextAsync(app.BaseAddress, phone: true);
        var small = await phone.NewPageAsync();
        await SignInAsync(small, data.MemberEmail);
        await small.GotoAsync("/assessments");
        await chromium.ScreenshotAsync(small, "assessments-list-phone");
        await small.GotoAsync($"/assessments/{assessment.Id}");
        await chromium.ScreenshotAsync(small, "report-phone");
        // Nothing makes the page wider than the phone's screen (wide tables scroll in their own box).
        foreach (var url in new[] { "/assessments", $"/assessments/{assessment.Id}" })
        {
            await small.GotoAsync(url);
            var overflow = await small.EvaluateAsync<int>("() => document.documentElement.scrollWidth - screen.width");
            var widest = await small.EvaluateAsync<string>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > screen.width + 0.5).slice(-3).map(e => e.tagName + '.' + e.className).join(', ')");
            Assert.True(overflow <= 0, $"{url} is {overflow} px wider than a 390 px phone: {widest}");
        }
    }

    [Fact]
    public async Task AReviewerScoresFromTheEvidenceOverridesWithAReasonAndSubmits()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(manifest: await ReportTests.ManifestAsync(Brief));
        var report = ReportTests.Report() with
        {
            Tests =
            [
                new TestOutcome { Name = "GreetingTakesOneStatement", Visibility = TestVisibility.Hidden, Phase = "main", Status = TestStatus.Fail, Message = "GET /greeting took 10 statements" },
                new TestOutcome { Name = "GreetingCountSurvivesRestart", Visibility = TestVisibility.Hidden, Phase = "after-restart", Status = TestStatus.Pass },
            ],
        };
        var (assessment, _) = await data.AddGradedAsync(report, ReportTests.Files(Notes), candidateName: "Grace Hopper");

        await using var context = await chromium.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var errors = ScriptErrors(page);
        await SignInAsync(page, data.MemberEmail);
        await page.GotoAsync($"/assessments/{assessment.Id}#scoring");
        var correctness = page.Locator("#criterion-correctness");
        Assert.Equal("weak", await correctness.Locator(".suggestion > p .level").InnerTextAsync());

        // The evidence link goes to the failing test on the report.
        await correctness.Locator("ul.evidence a", new() { HasTextString = "GreetingTakesOneStatement" }).ClickAsync();
        await page.WaitForURLAsync("**#test-GreetingTakesOneStatement");
        Assert.Contains("fail", await page.Locator("#test-GreetingTakesOneStatement").GetAttributeAsync("class"));

        // Strong against a weak suggestion, without a reason: refused beside the field.
        await correctness.Locator("input[type=radio][value=Strong]").CheckAsync();
        await page.Locator("#criterion-notes input[type=radio][value=Adequate]").CheckAsync();
        await page.Locator("input[name='review.Recommendation'][value=Hire]").CheckAsync();
        await page.ClickAsync("button[value=submit]");
        Assert.Contains("say why", await page.Locator("#criterion-correctness .field-error").InnerTextAsync());
        await chromium.ScreenshotAsync(page.Locator("section.scoring"), "scoring-refused");

        await page.FillAsync("#criterion-correctness input[name$='OverrideReason']", "The restart test passed; the count was measured before the index existed.");
        await page.FillAsync("#criterion-correctness textarea", "One statement per greeting in the notes' own measurement.");
        await page.ClickAsync("button[value=submit]");
        await page.Locator("section.scoring .badge.good").WaitForAsync();
        Assert.Contains("Your score: 85", await page.Locator("p.score-line").InnerTextAsync());
        await chromium.ScreenshotAsync(page.Locator("section.scoring"), "scoring");
        // The refused post answered 422, as it should; nothing else failed.
        Assert.DoesNotContain(errors, e => !e.Contains("422", StringComparison.Ordinal));

        await using var phone = await chromium.NewContextAsync(app.BaseAddress, phone: true);
        var small = await phone.NewPageAsync();
        await SignInAsync(small, data.MemberEmail);
        await small.GotoAsync($"/assessments/{assessment.Id}#scoring");
        await chromium.ScreenshotAsync(small.Locator("section.scoring"), "scoring-phone");
        var overflow = await small.EvaluateAsync<int>("() => document.documentElement.scrollWidth - screen.width");
        Assert.True(overflow <= 0, $"the report with its scoring panel is {overflow} px wider than a 390 px phone");
    }

    [Fact]
    public async Task TwoReviewersScoreBlindAndIndependentlyUntilEachSubmits()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app, blindReview: true).CreateAsync(scenarioSlug: $"blind-{Guid.NewGuid():N}"[..16], manifest: await ReportTests.ManifestAsync(Brief));
        var unique = Guid.NewGuid().ToString("N")[..8];
        var (name, email) = ($"Katherine Johnson {unique}", $"katherine.{unique}@example.com");
        var (assessment, _) = await data.AddGradedAsync(ReportTests.Report(), ReportTests.Files(Notes), candidateName: name,
            message: $"Count the greetings in the database\n\nSigned-off-by: {name} <{email}>");
        await data.AddGradedAsync(ReportTests.Report(), candidateName: $"Dorothy Vaughan {unique}");
        await using (var db = app.Database.CreateContext())
        {
            await db.Candidates.Where(c => c.Name == name).ExecuteUpdateAsync(c => c.SetProperty(x => x.Email, email), ct);
        }

        var second = await data.AddMemberAsync(OrganisationRole.Reviewer, "Second Reviewer");
        var admin = await data.AddMemberAsync(OrganisationRole.Admin, "Hiring Admin");

        async Task<string> TextAsync(IPage page) => await page.Locator("main").InnerTextAsync();

        await using var firstContext = await chromium.NewContextAsync(app.BaseAddress);
        var first = await firstContext.NewPageAsync();
        var errors = ScriptErrors(first);
        await SignInAsync(first, data.MemberEmail);
        await first.GotoAsync($"/assessments/{assessment.Id}");
        var blind = await TextAsync(first);
        Assert.DoesNotContain(name, blind);
        Assert.DoesNotContain(email, blind);
        Assert.Contains("<[hidden during blind review]>", await first.Locator(".push .message").First.GetAttributeAsync("title"));
        Assert.Equal(Assessments.Web.Data.Blinding.Pseudonym(assessment.Id), await first.Locator("header.report-head h1").InnerTextAsync());
        await first.Locator("#criterion-correctness input[type=radio][value=Weak]").CheckAsync();
        await first.Locator("#criterion-correctness textarea").FillAsync("first-reviewer-note: the count never reached the database.");
        await first.Locator("input[name='review.Recommendation'][value=NoHire]").CheckAsync();
        await first.ClickAsync("button[value=submit]");
        await first.Locator("section.scoring .badge.good").WaitForAsync();
        // Submitted: the first reviewer now sees who it is, and the sign-off as written.
        Assert.Equal(name, await first.Locator("header.report-head h1").InnerTextAsync());
        Assert.Contains($"Signed-off-by: {name} <{email}>", await first.Locator(".push .message").First.GetAttributeAsync("title"));

        await using var secondContext = await chromium.NewContextAsync(app.BaseAddress);
        var other = await secondContext.NewPageAsync();
        errors.AddRange(ScriptErrors(other));
        await SignInAsync(other, second.Email!);
        await other.GotoAsync($"/assessments/{assessment.Id}#scoring");
        var before = await TextAsync(other);
        Assert.DoesNotContain(name, before);
        Assert.DoesNotContain(email, before);
        Assert.DoesNotContain("first-reviewer-note", before);
        Assert.Contains("1 other review (1 submitted)", before);
        await chromium.ScreenshotAsync(other.Locator("section.scoring"), "scoring-blind");
        await other.Locator("#criterion-correctness input[type=radio][value=Weak]").CheckAsync();
        await other.Locator("#criterion-notes input[type=radio][value=Strong]").CheckAsync();
        await other.Locator("input[name='review.Recommendation'][value=Hire]").CheckAsync();
        await other.ClickAsync("button[value=submit]");
        await other.Locator("section.scoring .badge.good").WaitForAsync();
        var after = await TextAsync(other);
        Assert.Contains("first-reviewer-note", after);
        Assert.Contains(name, after);
        Assert.Equal(name, await other.Locator("header.report-head h1").InnerTextAsync());
        await chromium.ScreenshotAsync(other.Locator("#other-reviews"), "scoring-others");

        // The admin compares the scenario's candidates, this one marked.
        await using var adminContext = await chromium.NewContextAsync(app.BaseAddress);
        var board = await adminContext.NewPageAsync();
        errors.AddRange(ScriptErrors(board));
        await SignInAsync(board, admin.Email!);
        await board.GotoAsync($"/scenarios/{data.Scenario.Slug}/candidates");
        await board.Locator("table.candidates tr", new() { HasTextString = name }).Locator("a", new() { HasTextString = "mark" }).ClickAsync();
        await board.Locator("tr.selected").WaitForAsync();
        Assert.Equal(2, await board.Locator("svg.distribution circle.selected").CountAsync());
        await chromium.ScreenshotAsync(board, "candidates");
        Assert.Empty(errors);

        await using var phone = await chromium.NewContextAsync(app.BaseAddress, phone: true);
        var small = await phone.NewPageAsync();
        await SignInAsync(small, admin.Email!);
        await small.GotoAsync($"/scenarios/{data.Scenario.Slug}/candidates?selected={assessment.Id}");
        await chromium.ScreenshotAsync(small, "candidates-phone");
        var overflow = await small.EvaluateAsync<int>("() => document.documentElement.scrollWidth - screen.width");
        Assert.True(overflow <= 0, $"the candidates page is {overflow} px wider than a 390 px phone");
    }

    [Fact]
    public async Task HostileTextInAPushLeavesTheReviewersWindowUntouched()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Payload = "<script>window.pwned='script'</script><img src=x onerror=\"window.pwned='img'\"><svg onload=\"window.pwned='svg'\"></svg>";
        var data = await new ReviewData(app).CreateAsync();
        var report = ReportTests.Report() with
        {
            Tests = [new TestOutcome { Name = "Orders" + Payload, Visibility = TestVisibility.Hidden, Phase = "main", Status = TestStatus.Fail, Message = Payload, Output = Payload }],
            Changes = [new FileChangeOutcome($"src/{Payload}.cs", ChangeKind.Added, false, false, 1, 0, []), new FileChangeOutcome("NOTES.md", ChangeKind.Added, false, false, 3, 0, [])],
            Findings = [new FindingOutcome("locked-file", FindingSeverity.Concern, $"src/{Payload}.cs", 1, Payload)],
        };
        var files = new List<GradingFile>
        {
            new() { Path = $"src/{Payload}.cs", Kind = FileChangeKind.Added, CandidateText = Payload + "\n" },
            new() { Path = "NOTES.md", Kind = FileChangeKind.Added, CandidateText = $"# Notes\n\n{Payload}\n\n[click me](javascript:window.pwned='link')\n" },
        };
        var (assessment, _) = await data.AddGradedAsync(report, files, message: Payload, candidateName: "Mallory");

        await using var context = await chromium.NewContextAsync(app.BaseAddress);
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };
        await SignInAsync(page, data.MemberEmail);
        await page.GotoAsync($"/assessments/{assessment.Id}");
        foreach (var details in await page.Locator("details").AllAsync())
        {
            await details.EvaluateAsync("d => d.open = true");
        }

        var link = page.Locator(".candidate-notes a", new() { HasTextString = "click me" });
        if (await link.CountAsync() > 0)
        {
            await link.ClickAsync();
        }

        await page.WaitForTimeoutAsync(300);
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.pwned"));
        Assert.Equal(0, dialogs);
        // The payload is on the page as text, where the reviewer can read it.
        Assert.Contains("<script>window.pwned='script'</script>", await page.Locator("li.push .message").InnerTextAsync());
        await chromium.ScreenshotAsync(page, "report-hostile");
    }

    [Fact]
    public async Task TheCandidatesInvitationShowsTheBriefRendered()
    {
        var data = await new ReviewData(app).CreateAsync(manifest: await ReportTests.ManifestAsync(Brief));
        var secret = $"inv_{Guid.NewGuid():N}";
        await using (var db = app.Database.CreateContext())
        {
            db.Assessments.Add(new Assessment
            {
                OrganisationId = data.Organisation.Id,
                Candidate = new Candidate { OrganisationId = data.Organisation.Id, Name = "Linus", Email = $"l-{Guid.NewGuid():N}@example.com" },
                ScenarioVersionId = data.Version.Id,
                Slug = $"a-{Guid.NewGuid():N}"[..20],
                TimeLimit = TimeSpan.FromHours(3),
                InvitationTokenHash = AccessTokens.Hash(secret),
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        foreach (var phone in new[] { false, true })
        {
            await using var context = await chromium.NewContextAsync(app.BaseAddress, phone);
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/invitations/{secret}");
            Assert.Equal("slowest", await page.Locator(".brief strong").InnerTextAsync());
            Assert.DoesNotContain("**", await page.Locator(".brief").InnerTextAsync());
            await chromium.ScreenshotAsync(page, phone ? "invitation-phone" : "invitation");
        }
    }

    [Fact]
    public async Task AnOperatorReadsTheOpsPageAtDesktopAndPhoneWidth()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"operator-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, ReviewData.Password, isOperator: true);
        // A day the page can draw: the queue sampled every quarter hour of the last six, and
        // deliveries and sandbox errors over some hours (older than this minute, so the scrape
        // test's counts of the current minute are left alone).
        await using (var db = app.Database.CreateContext())
        {
            var hour = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day, DateTimeOffset.UtcNow.Hour, 0, 0, TimeSpan.Zero);
            for (var quarter = 1; quarter <= 24; quarter++)
            {
                var minute = hour.AddMinutes(-15 * quarter).AddMinutes(7);
                db.OperationGauges.Add(new OperationGauge { Minute = minute, Name = "gradings.queued", Value = Math.Round(3 + (3 * Math.Sin(quarter / 4.0))) });
                db.OperationGauges.Add(new OperationGauge { Minute = minute, Name = "gradings.running", Value = quarter % 6 == 0 ? 0 : 1 });
            }

            for (var h = 1; h <= 8; h++)
            {
                db.OperationCounts.Add(new OperationCount { Minute = hour.AddHours(-h).AddMinutes(31), Name = "webhook.deliveries", Label = "accepted", Count = 10 + (h * 3) });
                db.OperationCounts.Add(new OperationCount { Minute = hour.AddHours(-h).AddMinutes(31), Name = "webhook.deliveries", Label = "duplicate", Count = h % 3 });
            }

            db.OperationCounts.Add(new OperationCount { Minute = hour.AddHours(-3).AddMinutes(12), Name = "sandbox.errors", Label = "start-postgres", Count = 2 });
            await db.SaveChangesAsync(ct);
        }

        foreach (var phone in new[] { false, true })
        {
            await using var context = await chromium.NewContextAsync(app.BaseAddress, phone);
            var page = await context.NewPageAsync();
            var errors = ScriptErrors(page);
            await SignInAsync(page, email);
            await page.GotoAsync("/ops");
            Assert.Equal(4, await page.Locator("section.figures .figure").CountAsync());
            Assert.True(await page.Locator("svg.chart.ops").CountAsync() >= 3);
            Assert.True(await page.Locator("svg.chart.ops path.line").CountAsync() >= 2);
            await chromium.ScreenshotAsync(page, "ops" + (phone ? "-phone" : ""));
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - screen.width");
            Assert.True(overflow <= 0, $"the ops page is {overflow} px wider than the screen");
            Assert.Empty(errors);
        }
    }

    [Fact]
    public async Task AccountAndTeamPagesAtDesktopAndPhoneWidth()
    {
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        var (secret, hash) = AccessTokens.Create("team_");
        await using (var db = app.Database.CreateContext())
        {
            db.TeamInvitations.Add(new TeamInvitation
            {
                OrganisationId = data.Organisation.Id,
                Email = $"joiner-{Guid.NewGuid():N}@example.com",
                Role = OrganisationRole.Reviewer,
                TokenHash = hash,
                InvitedById = data.Member.Id,
                ExpiresAt = DateTimeOffset.UtcNow.AddDays(7),
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        foreach (var phone in new[] { false, true })
        {
            var suffix = phone ? "-phone" : "";
            await using var context = await chromium.NewContextAsync(app.BaseAddress, phone);
            var page = await context.NewPageAsync();
            var errors = ScriptErrors(page);
            foreach (var (url, name) in new[] { ("/account/login", "login"), ("/account/forgot", "forgot"), ($"/team/join/{secret}", "team-join") })
            {
                await page.GotoAsync(url);
                await chromium.ScreenshotAsync(page, name + suffix);
            }

            Assert.Equal(1, await page.Locator("input[name=Password]").CountAsync());
            await SignInAsync(page, data.MemberEmail);
            await page.GotoAsync($"/organisations/{data.Organisation.Slug}/team");
            Assert.Equal(1, await page.Locator("table.team tbody tr").CountAsync());
            await chromium.ScreenshotAsync(page, "team" + suffix);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - screen.width");
            Assert.True(overflow <= 0, $"the team page is {overflow} px wider than the screen");
            Assert.Empty(errors);
        }
    }

    [Fact]
    public async Task TheScenarioLibraryShowsEachVersionsVerificationAndAnAuthorVerifiesFromItAtDesktopAndPhoneWidth()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Author, scenarioSlug: $"lib-{Guid.NewGuid():N}"[..16], manifest: await ReportTests.ManifestAsync("Brief."));
        await Library.LibraryPageTests.FinishedVerificationAsync(app, data.Version.Id, ct);

        // The phone first: the desktop's turn ends by queuing a verification.
        foreach (var phone in new[] { true, false })
        {
            var suffix = phone ? "-phone" : "";
            await using var context = await chromium.NewContextAsync(app.BaseAddress, phone);
            var page = await context.NewPageAsync();
            var errors = ScriptErrors(page);
            await SignInAsync(page, data.MemberEmail);
            await page.GotoAsync("/scenarios");
            var ours = page.Locator($"#scenario-{data.Scenario.Slug}");
            await Assertions.Expect(ours.Locator(".verification")).ToHaveTextAsync("not verified");
            await Assertions.Expect(ours.Locator("ul.problems")).ToContainTextAsync("variant shallow was expected to fail");
            await ours.ScrollIntoViewIfNeededAsync();
            await chromium.ScreenshotAsync(page, "library" + suffix);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - screen.width");
            Assert.True(overflow <= 0, $"the library page is {overflow} px wider than the screen");

            if (!phone)
            {
                // Verify now: queued, and followed live until a worker takes it.
                await ours.GetByRole(AriaRole.Button, new() { Name = "Verify now" }).ClickAsync();
                await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("verification queued on the workers");
                await Assertions.Expect(page.Locator($"#scenario-{data.Scenario.Slug} section.live")).ToBeVisibleAsync();
                await Assertions.Expect(page.Locator($"#scenario-{data.Scenario.Slug} .verification")).ToHaveTextAsync("queued");
                await chromium.ScreenshotAsync(page, "library-queued");
            }

            Assert.Empty(errors);
        }
    }

    [Fact]
    public async Task AnAuthorUploadsTheScaffoldSeesABrokenCopysErrorsThenImportsAndVerifiesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Author);
        var id = $"up-{Guid.NewGuid():N}"[..16];
        var work = Directory.CreateTempSubdirectory("upload-");
        var folder = Path.Combine(work.FullName, id);
        await Assessments.Scenarios.ScenarioScaffold.WriteAsync(id, folder, ct);
        var good = Path.Combine(work.FullName, $"{id}.tar.gz");
        await File.WriteAllBytesAsync(good, Library.LibraryPageTests.TarGz(folder, id), ct);
        var manifest = Path.Combine(folder, "scenario.yaml");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest, ct)).Replace("version: \"1.0\"", "version: [1]"), ct);
        var broken = Path.Combine(work.FullName, "broken.tar.gz");
        await File.WriteAllBytesAsync(broken, Library.LibraryPageTests.TarGz(folder, id), ct);

        await using var context = await chromium.NewContextAsync(app.BaseAddress, phone: false);
        var page = await context.NewPageAsync();
        var errors = ScriptErrors(page);
        await SignInAsync(page, data.MemberEmail);
        await page.GotoAsync("/scenarios");
        await page.Locator("details.upload > summary").ClickAsync();

        // The broken copy: every error with its file and line, nothing imported.
        await page.Locator("input[name=package]").SetInputFilesAsync(broken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check and import" }).ClickAsync();
        await Assertions.Expect(page.Locator("div.upload-errors")).ToContainTextAsync("broken.tar.gz/scenario.yaml:");
        await Assertions.Expect(page.Locator("div.upload-errors")).ToContainTextAsync("version");
        await Assertions.Expect(page.Locator($"#scenario-{id}")).ToHaveCountAsync(0);
        await chromium.ScreenshotAsync(page, "library-upload-errors");
        // The refusal is answered 422 on purpose, which the browser reports; nothing else went wrong.
        Assert.All(errors, e => Assert.Contains("422", e));
        errors.Clear();

        // The good one: imported into the organisation's library, then verified from there.
        await page.Locator("input[name=package]").SetInputFilesAsync(good);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check and import" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Verify it before inviting candidates to it.");
        var ours = page.Locator($"#scenario-{id}");
        await Assertions.Expect(ours.Locator(".badge")).ToHaveTextAsync("not verified");
        await ours.GetByRole(AriaRole.Button, new() { Name = "Verify now" }).ClickAsync();
        await Assertions.Expect(page.Locator($"#scenario-{id} .verification")).ToHaveTextAsync("queued");
        await Assertions.Expect(page.Locator($"#scenario-{id} section.live")).ToBeVisibleAsync();
        await chromium.ScreenshotAsync(page, "library-uploaded-and-queued");

        // Its page: the brief, the rubric, the hidden tests (an author's to read), the template file by file.
        var title = await ours.Locator("h2 a").InnerTextAsync();
        await ours.Locator("h2 a").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(title);
        await Assertions.Expect(page.Locator("section.hidden-tests")).ToContainTextAsync("GreetingCountSurvivesRestart");
        await page.Locator("ul.tree a", new() { HasTextString = "Program.cs" }).First.ClickAsync();
        await Assertions.Expect(page.Locator("div.opened-file pre")).ToContainTextAsync("app.Run");
        await chromium.ScreenshotAsync(page, "scenario");
        await using (var phone = await chromium.NewContextAsync(app.BaseAddress, phone: true))
        {
            var small = await phone.NewPageAsync();
            var smallErrors = ScriptErrors(small);
            await SignInAsync(small, data.MemberEmail);
            await small.GotoAsync($"/scenarios/{id}?file=README.md");
            await Assertions.Expect(small.Locator("section.hidden-tests")).ToBeVisibleAsync();
            await chromium.ScreenshotAsync(small, "scenario-phone");
            Assert.Empty(smallErrors);
        }

        Assert.Empty(errors);
        work.Delete(recursive: true);
    }

    private const string Brief = """
        # Orders are slow

        The **slowest** endpoint of the shop is `GET /orders`: it takes
        seconds for a customer with many orders. Find out why and fix it.

        - Keep the response the same.
        - Explain what you changed in `NOTES.md`.
        """;

    private const string Notes = """
        # Notes

        ## Approach

        The list loaded each order's lines in its own query. It now loads them with a *join*,
        in one statement.
        """;

    /// <summary>Uncaught script errors of <paramref name="page"/>: one stops every script after it.</summary>
    private static List<string> ScriptErrors(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                errors.Add($"{response.Status} {response.Url}");
            }
        };
        return errors;
    }

    /// <summary>Signs in through the login form in the browser, as a person does.</summary>
    private static async Task SignInThroughTheFormAsync(IPage page, string email)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("input[name=Email]", email);
        await page.FillAsync("input[name=Password]", ReviewData.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
    }

    private Task SignInAsync(IPage page, string email) => app.SignInAsync(page, email);

    private async Task RecordAsync(Guid runId, GradingProgress progress)
    {
        await using var recorder = new StageRecorder(_worker, runId, 1, new StringBuilder(), 1024, NullLogger.Instance, []);
        recorder.Report(progress);
    }

    /// <summary>What the grading job does at the end: the report and files stored, the run
    /// completed, and a notification on commit.</summary>
    private async Task FinishAsync(Guid runId, GradingReport report, List<GradingFile> files)
    {
        await using (var db = app.Database.CreateContext())
        {
            var run = await db.GradingRuns.FindAsync(runId);
            await StoredReports.ReplaceAsync(db, run!, report, CancellationToken.None);
            files.ForEach(f => f.GradingRunId = runId);
            db.GradingFiles.AddRange(files);
            run!.Status = GradingStatus.Completed;
            run.FinishedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        await StageRecorder.NotifyAsync(_worker, runId, CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await _worker.DisposeAsync();
}
