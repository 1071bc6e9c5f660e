using System.Net;
using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features.Reviewing;

public sealed class ReportTests(WebApp app)
{
    private const string Template = "namespace Shop;\n\npublic static class Orders\n{\n    public static int Count() => 1;\n}\n";
    private const string Candidate = "namespace Shop;\n\npublic static class Orders\n{\n    public static int Count() => 2;\n    public static int Total() => 3;\n}\n";

    [Fact]
    public async Task TheReportShowsTheTimelineTestsChartsTheDiffWithItsFindingAndTheNotes()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(manifest: await ManifestAsync("Find the **slow** query.\nThen fix it."));
        var (assessment, _) = await data.AddGradedAsync(Report(), Files("Thanks for reading.\n\n- I used a *join*"));
        using var client = await data.SignedInAsync(ct);

        var page = await app.GetPageAsync(client, $"/assessments/{assessment.Id}", ct);
        var text = WebUtility.HtmlDecode(page);

        Assert.Contains("Ada Lovelace", text);
        Assert.Contains("Fix the N+1 query", text);
        Assert.Contains("1 h 20 min after start", text);
        Assert.Contains("2 h 40 min before the deadline", text);
        // Tests grouped by visibility and phase, with the failure message.
        Assert.Contains("Hidden · main", text);
        Assert.Contains("OrdersTakeOneStatement", text);
        Assert.Contains("took 10 statements", text);
        // A chart per metric, drawn on the server, with the report's comparison word.
        Assert.Contains("<svg class=\"chart\"", page);
        Assert.Contains("no measurable difference", text);
        Assert.Contains("better", text);
        // The diff, with the finding on the candidate's line 6.
        Assert.Contains("public static int Total() => 3;", text);
        Assert.Matches("<td class=\"ln\"></td><td class=\"ln\">6</td>[\\s\\S]*?finding warning\"><strong>new-public-member</strong>", page);
        // Markdown rendered: the brief and the notes.
        Assert.Contains("<strong>slow</strong>", page);
        Assert.Contains("<em>join</em>", page);
        Assert.Contains("sha256:" + new string('d', 64), page);
        // Each stage's own output, the failed one open.
        Assert.Contains("<details open=\"open\"><summary>Output of hidden-tests:main</summary><pre>[FAIL] OrdersTakeOneStatement: took 10 statements</pre>", page);
        Assert.Contains("<summary>Output of build</summary><pre>Build succeeded.", page);
    }

    [Fact]
    public async Task TheReportTakesAtMostSixStatements()
    {
        var ct = TestContext.Current.CancellationToken;
        using var counter = new StatementCounter();
        var data = await new ReviewData(app).CreateAsync();
        var (assessment, run) = await data.AddGradedAsync(Report(), Files("notes"));
        var (_, older) = await data.AddGradedAsync(Report());
        using var client = await data.SignedInAsync(ct);

        var (response, statements) = await counter.GetAsync(client, $"/assessments/{assessment.Id}?grading={run.Id}", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(statements, 1, 6);
    }

    [Fact]
    public async Task AnotherOrganisationsAssessmentAndItsProgressAre404()
    {
        var ct = TestContext.Current.CancellationToken;
        var mine = await new ReviewData(app).CreateAsync();
        var theirs = await new ReviewData(app).CreateAsync();
        var (assessment, run) = await theirs.AddGradedAsync(Report());
        using var client = await mine.SignedInAsync(ct);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/assessments/{assessment.Id}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/assessments/{assessment.Id}/gradings/{run.Id}/progress", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/assessments/{Guid.NewGuid()}", ct)).StatusCode);

        // Their grading's id on my assessment's page shows my own grading, never theirs.
        var (own, ownRun) = await mine.AddGradedAsync(Report(), candidateName: "Mine Only");
        var page = await app.GetPageAsync(client, $"/assessments/{own.Id}?grading={run.Id}&compare={run.Id}", ct);
        Assert.Contains("Mine Only", page);
        Assert.DoesNotContain(run.Id.ToString(), page);
        Assert.Contains(ownRun.Id.ToString(), page);
    }

    [Fact]
    public async Task CandidateTextIsRenderedInert()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync();
        const string Payload = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
        var report = Report() with
        {
            Tests = [new TestOutcome { Name = "Hidden" + Payload, Visibility = TestVisibility.Hidden, Phase = "main", Status = TestStatus.Fail, Message = Payload, Output = Payload }],
            Changes = [new FileChangeOutcome($"src/{Payload}.cs", ChangeKind.Added, false, false, 1, 0, [])],
            Findings = [],
        };
        var files = new List<GradingFile>
        {
            new() { Path = $"src/{Payload}.cs", Kind = FileChangeKind.Added, CandidateText = Payload + "\n" },
            new() { Path = "NOTES.md", Kind = FileChangeKind.Added, CandidateText = $"# Notes\n\n{Payload}\n\n[click](javascript:window.pwned=3)\n\n<a href=\"javascript:alert(1)\">x</a>" },
        };
        var (assessment, _) = await data.AddGradedAsync(report, files, message: Payload);
        using var client = await data.SignedInAsync(ct);

        var page = await app.GetPageAsync(client, $"/assessments/{assessment.Id}", ct);

        Assert.DoesNotContain("<script>window", page);
        Assert.DoesNotContain("<img", page);
        Assert.DoesNotMatch("<a\\s[^>]*href\\s*=\\s*\"?javascript:", page);
        Assert.DoesNotContain("href=\"javascript:window", page);
        Assert.Contains("&lt;script&gt;window.pwned=1&lt;/script&gt;", page);
        Assert.Contains("<h1>Notes</h1>", page);
    }

    [Fact]
    public async Task AnAdminReGradesAPushAndTheEarlierReportStaysAReviewerMayNot()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        var (assessment, run) = await admin.AddGradedAsync(Report());
        using var adminClient = await admin.SignedInAsync(ct);
        var page = await app.GetPageAsync(adminClient, $"/assessments/{assessment.Id}", ct);
        Assert.Contains("Re-grade", page);

        var submissionId = await SubmissionOfAsync(run.Id, ct);
        var posted = await PostRegradeAsync(adminClient, assessment.Id, submissionId, page, ct);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        await using (var db = app.Database.CreateContext())
        {
            var runs = await db.GradingRuns.Where(g => g.SubmissionId == submissionId).OrderBy(g => g.QueuedAt).ToListAsync(ct);
            Assert.Equal(2, runs.Count);
            Assert.Equal(GradingStatus.Completed, runs[0].Status);
            Assert.Equal(GradingStatus.Queued, runs[1].Status);
            Assert.NotNull(runs[1].HangfireJobId);
            Assert.Contains(admin.MemberEmail, runs[1].RequestedBy);
            Assert.Contains(posted.Headers.Location!.OriginalString, $"/assessments/{assessment.Id}?grading={runs[1].Id}");
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "grading.requested" && e.SubjectId == assessment.Id.ToString(), ct));
        }

        // A reviewer of the same organisation sees no button, and a forged post is refused.
        var reviewer = $"reviewer-{Guid.NewGuid():N}@example.com";
        var user = await app.CreateUserAsync(reviewer, ReviewData.Password);
        await using (var db = app.Database.CreateContext())
        {
            db.Memberships.Add(new Membership { OrganisationId = admin.Organisation.Id, UserId = user.Id, Role = OrganisationRole.Reviewer });
            await db.SaveChangesAsync(ct);
        }

        using var reviewerClient = app.CreateClient();
        await WebApp.SignInAsync(reviewerClient, reviewer, ReviewData.Password, ct);
        var reviewerPage = await app.GetPageAsync(reviewerClient, $"/assessments/{assessment.Id}", ct);
        Assert.DoesNotContain("Re-grade", reviewerPage);
        var forged = await PostRegradeAsync(reviewerClient, assessment.Id, submissionId, reviewerPage, ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
    }

    private async Task<Guid> SubmissionOfAsync(Guid runId, CancellationToken ct)
    {
        await using var db = app.Database.CreateContext();
        return await db.GradingRuns.Where(g => g.Id == runId).Select(g => g.SubmissionId!.Value).SingleAsync(ct);
    }

    private static async Task<HttpResponseMessage> PostRegradeAsync(HttpClient client, Guid assessmentId, Guid submissionId, string page, CancellationToken ct)
    {
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync($"/assessments/{assessmentId}?handler=regrade&submission={submissionId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
        }), ct);
    }

    /// <summary>The scaffold's manifest with <paramref name="brief"/>, as the importer stores it.</summary>
    public static async Task<string> ManifestAsync(string brief)
    {
        var package = await Scaffold.PackageAsync();
        return System.Text.Json.JsonSerializer.Serialize(package.Manifest with { Brief = brief }, System.Text.Json.JsonSerializerOptions.Web);
    }

    public static List<GradingFile> Files(string notes) =>
    [
        new() { Path = "src/Shop/Orders.cs", Kind = FileChangeKind.Modified, LinesAdded = 2, LinesRemoved = 1, TemplateText = Template, CandidateText = Candidate },
        new() { Path = "NOTES.md", Kind = FileChangeKind.Added, LinesAdded = 1, CandidateText = notes },
    ];

    public static GradingReport Report() => new()
    {
        Status = ReportStatus.Fail,
        Verdict = Verdict.TestsFailed,
        Stage = "hidden-tests:main",
        Message = "1 hidden test failed",
        Scenario = new ScenarioRef("n-plus-one", "1.0", new string('c', 64)),
        Subject = new SubjectRef(SubjectKind.Candidate, "submission", new string('a', 40)),
        Tests =
        [
            new TestOutcome { Name = "Shop.Tests.OrdersTests.Counts", Visibility = TestVisibility.Public, Status = TestStatus.Pass, DurationMs = 3 },
            new TestOutcome { Name = "OrdersTakeOneStatement", Visibility = TestVisibility.Hidden, Phase = "main", Status = TestStatus.Fail, Message = "took 10 statements", Output = "SELECT 1", DurationMs = 40 },
            new TestOutcome { Name = "OrdersAreCorrect", Visibility = TestVisibility.Hidden, Phase = "main", Status = TestStatus.Pass, DurationMs = 12 },
        ],
        Metrics =
        [
            new MetricOutcome
            {
                Key = "statements_per_request", Title = "Statements per request", Unit = "statements", Direction = MetricDirection.Lower,
                Primary = true, Kind = MetricKind.Counted, Candidate = 1, Baseline = 10, Ratio = 0.1, Improvement = 10,
                Comparison = MetricComparison.Better, BaselineSource = BaselineSource.Measured, Samples = [1], BaselineSamples = [10],
            },
            new MetricOutcome
            {
                Key = "p50_latency", Title = "Median latency", Unit = "ms", Direction = MetricDirection.Lower,
                Kind = MetricKind.Timed, Candidate = 11, Baseline = 12, Ratio = 0.92, Improvement = 1.09,
                Comparison = MetricComparison.NoMeasurableDifference, BaselineSource = BaselineSource.Measured,
                Spread = 3, BaselineSpread = 4, Samples = [9, 10, 11, 12, 14], BaselineSamples = [10, 11, 12, 13, 16],
            },
        ],
        Findings = [new FindingOutcome("new-public-member", FindingSeverity.Warning, "src/Shop/Orders.cs", 6, "Orders.Total() is new and public.")],
        Changes =
        [
            new FileChangeOutcome("NOTES.md", ChangeKind.Added, false, false, 1, 0, []),
            new FileChangeOutcome("src/Shop/Orders.cs", ChangeKind.Modified, false, false, 2, 1, []),
        ],
        Stages = [new StageOutcome("build", Side.Candidate, StageStatus.Ok, 12000, 0, "Build succeeded.\n    0 Warning(s)"), new StageOutcome("hidden-tests:main", Side.Grader, StageStatus.Failed, 30000, 1, "[FAIL] OrdersTakeOneStatement: took 10 statements")],
        Environment = new RunEnvironment("docker", "sha256:" + new string('d', 64), new Dictionary<string, string> { ["candidate.network"] = "lo" }),
        StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        FinishedAt = DateTimeOffset.UtcNow,
    };
}
