using System.Net;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Tests.Infrastructure;

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
