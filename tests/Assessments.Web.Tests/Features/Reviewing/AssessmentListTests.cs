using System.Net;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features.Reviewing;

public sealed partial class AssessmentListTests(WebApp app)
{
    [Fact]
    public async Task TheListTakesAtMostSixStatementsForOneAssessmentAndForTwoHundred()
    {
        var ct = TestContext.Current.CancellationToken;
        using var counter = new StatementCounter();
        var one = await new ReviewData(app).CreateAsync();
        await one.AddAssessmentsAsync(1);
        var many = await new ReviewData(app).CreateAsync();
        await many.AddAssessmentsAsync(200);
        using var oneClient = await one.SignedInAsync(ct);
        using var manyClient = await many.SignedInAsync(ct);

        var (oneResponse, oneStatements) = await counter.GetAsync(oneClient, "/assessments", ct);
        var (manyResponse, manyStatements) = await counter.GetAsync(manyClient, "/assessments?sort=metric&desc=false&p=3", ct);

        Assert.Equal(HttpStatusCode.OK, oneResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, manyResponse.StatusCode);
        Assert.Equal(1, Rows(await oneResponse.Content.ReadAsStringAsync(ct)));
        var page = await manyResponse.Content.ReadAsStringAsync(ct);
        Assert.Equal(50, Rows(page));
        var pager = System.Net.WebUtility.HtmlDecode(page);
        Assert.True(pager.Contains("Page 3 of 4 · 200 assessments"), pager[pager.IndexOf("<nav class=\"pager\"")..]);
        Assert.InRange(oneStatements, 1, 6);
        Assert.Equal(oneStatements, manyStatements);
    }

    [Fact]
    public async Task ARowShowsTheLatestVerdictThePrimaryMetricAndTheReviewer()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync();
        await data.AddAssessmentsAsync(1, GradingVerdict.TestsFailed, candidatePrefix: "Grace");
        using var client = await data.SignedInAsync(ct);

        var page = await app.GetPageAsync(client, "/assessments", ct);

        Assert.Contains("Grace 000", page);
        Assert.Contains("Scenario n-plus-one", page);
        Assert.Contains("tests failed", page);
        Assert.Contains("21 → 1", page);
        Assert.Contains("better", page);
        Assert.Contains(data.MemberEmail, page);
    }

    [Fact]
    public async Task AnotherOrganisationsAssessmentsAreNeitherListedNorCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        var mine = await new ReviewData(app).CreateAsync();
        await mine.AddAssessmentsAsync(2, candidatePrefix: "Mine");
        var theirs = await new ReviewData(app).CreateAsync();
        await theirs.AddAssessmentsAsync(3, candidatePrefix: "Theirs");
        using var client = await mine.SignedInAsync(ct);

        var page = await app.GetPageAsync(client, "/assessments", ct);

        Assert.Equal(2, Rows(page));
        Assert.DoesNotContain("Theirs", page);
        Assert.Contains("started <span class=\"count\">2</span>", page);
    }

    [Fact]
    public async Task FiltersNarrowTheRowsAndStayInTheLinks()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync();
        await data.AddAssessmentsAsync(3, GradingVerdict.Passed, candidatePrefix: "Passing");
        await data.AddAssessmentsAsync(2, GradingVerdict.BuildFailed, candidatePrefix: "Broken");
        using var client = await data.SignedInAsync(ct);

        var page = await app.GetPageAsync(client, "/assessments?verdict=BuildFailed&scenario=n-plus-one", ct);

        Assert.Equal(2, Rows(page));
        Assert.DoesNotContain("Passing", page);
        // Sorting and the status tabs keep the filter.
        Assert.Contains("href=\"/assessments?scenario=n-plus-one&amp;verdict=BuildFailed&amp;sort=candidate&amp;desc=false&amp;p=1\"", page);
        Assert.Contains("href=\"/assessments?scenario=n-plus-one&amp;status=Started&amp;verdict=BuildFailed", page);

        var sorted = await app.GetPageAsync(client, "/assessments?sort=candidate&desc=false", ct);
        var names = CandidateLinks().Matches(sorted).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(5, names.Count);

        var future = await app.GetPageAsync(client, $"/assessments?from={DateTime.UtcNow.AddDays(2):yyyy-MM-dd}", ct);
        Assert.Contains("No assessment matches these filters.", future);
    }

    [Fact]
    public async Task TheLatestGradingIsTheNewestPushsAndFollowsEverySave()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync();
        var (assessment, first) = await data.AddGradedAsync(Reviewing.ReportTests.Report() with { Verdict = Assessments.Runner.Results.Verdict.Passed }, candidateName: "Listed Lin");
        using var client = await data.SignedInAsync(ct);
        Assert.Contains("passed", Row(await app.GetPageAsync(client, "/assessments", ct), "Listed Lin"));

        await using (var db = app.Database.CreateContext())
        {
            // A newer push, still being graded: it is what the list shows now.
            var newer = new Submission { AssessmentId = assessment.Id, CommitSha = ReviewData.Sha(), ReceivedAt = DateTimeOffset.UtcNow };
            db.GradingRuns.Add(new GradingRun { Kind = GradingKind.Candidate, ScenarioVersionId = data.Version.Id, Submission = newer, Status = GradingStatus.Running });
            await db.SaveChangesAsync(ct);
        }

        var row = Row(await app.GetPageAsync(client, "/assessments", ct), "Listed Lin");
        Assert.Contains("running", row);
        Assert.Contains("<td data-label=\"Pushes\" class=\"num\">2</td>", row);

        await using (var db = app.Database.CreateContext())
        {
            // A re-grade of the older push, queued last, does not displace the newer push's grading.
            var older = await db.GradingRuns.Where(g => g.Id == first.Id).Select(g => g.SubmissionId!.Value).SingleAsync(ct);
            db.GradingRuns.Add(new GradingRun { Kind = GradingKind.Candidate, ScenarioVersionId = data.Version.Id, SubmissionId = older, RequestedBy = "admin" });
            // The newer push's grading ends with a verdict: the list follows.
            var running = await db.GradingRuns.SingleAsync(g => g.Status == GradingStatus.Running && g.Submission!.AssessmentId == assessment.Id, ct);
            running.Status = GradingStatus.Completed;
            running.Verdict = GradingVerdict.BuildFailed;
            await db.SaveChangesAsync(ct);
        }

        Assert.Contains("build failed", Row(await app.GetPageAsync(client, "/assessments?verdict=BuildFailed", ct), "Listed Lin"));
    }

    private static string Row(string page, string candidate)
    {
        var start = page.IndexOf($">{candidate}</a>", StringComparison.Ordinal);
        Assert.True(start > 0, $"{candidate} is not listed");
        return page[start..page.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task TheListNeedsASignedInUser()
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/assessments", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location?.PathAndQuery);
    }

    private static int Rows(string html) => CandidateLinks().Matches(html).Count;

    [GeneratedRegex("<td data-label=\"Candidate\"><a href=\"/assessments/[0-9a-f-]+\">([^<]+)</a>")]
    private static partial Regex CandidateLinks();
}
