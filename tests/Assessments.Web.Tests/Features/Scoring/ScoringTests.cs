using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Assessments.Runner.Results;
using Assessments.Scenarios.Manifest;
using Assessments.Web.Data;
using Assessments.Web.Tests.Features.Reviewing;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features.Scoring;

/// <summary>The scoring panel on the report page, on the scaffold's rubric: "correctness" (weight 70)
/// maps two hidden tests and the statement count, "notes" (weight 30) maps nothing.</summary>
public sealed partial class ScoringTests(WebApp app)
{
    [Fact]
    public async Task AReviewerSeesTheSuggestionWithItsEvidenceThenDraftsSubmitsAndAmendsWithEveryVersionAudited()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app, blindReview: true).CreateAsync(manifest: await ReportTests.ManifestAsync("Fix the greeting."));
        var (assessment, run) = await data.AddGradedAsync(GreetingReport(statements: 10, oneStatementPasses: false));
        using var client = await data.SignedInAsync(ct);

        var page = await app.GetPageAsync(client, $"/assessments/{assessment.Id}", ct);
        var text = WebUtility.HtmlDecode(page);
        // The failing test decides, linked to the test on the report; the statement count agrees.
        Assert.Contains("Suggested: <span class=\"level weak\">weak</span>", page);
        Assert.Contains($"<a href=\"?grading={run.Id}#test-GreetingTakesOneStatement\">hidden test GreetingTakesOneStatement failed: GET /greeting took 10 statements</a>", text);
        Assert.Contains("id=\"test-GreetingTakesOneStatement\"", page);
        Assert.Contains($"<a href=\"?grading={run.Id}#metric-statements_per_request\">statements_per_request: 10 statements, baseline 10 (", text);
        Assert.Contains("No evidence is mapped to this criterion: your judgement.", text);
        Assert.Contains(RubricScore.Formula, text);

        // Overriding the suggestion without a reason saves nothing and says which criterion.
        var refused = await PostAsync(client, assessment.Id, page, "save", ("correctness", "Strong", null, null), ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Correct fix: the evidence suggests weak and you chose strong; say why", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(ct)));
        Assert.Null(await ReviewAsync(assessment.Id, data.Member.Id));

        // A draft, then a submit that lacks a recommendation, then the submit.
        var draft = await PostAsync(client, assessment.Id, page, "save", ("correctness", "Weak", "Still ten statements.", null), ct, notesLevel: "Adequate");
        Assert.Equal(HttpStatusCode.Redirect, draft.StatusCode);
        var saved = await ReviewAsync(assessment.Id, data.Member.Id);
        Assert.Equal((null, 15.0), (saved!.SubmittedAt, saved.Score));
        var criterion = saved.Criteria.Single(c => c.CriterionId == "correctness");
        Assert.Equal((RubricLevel.Weak, RubricLevel.Weak, "Still ten statements.", (string?)null), (criterion.Level!.Value, criterion.SuggestedLevel!.Value, criterion.Comment, criterion.OverrideReason));

        var noRecommendation = await PostAsync(client, assessment.Id, page, "submit", ("correctness", "Weak", null, null), ct, notesLevel: "Adequate");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noRecommendation.StatusCode);
        Assert.Contains("Choose a recommendation to submit", await noRecommendation.Content.ReadAsStringAsync(ct));
        Assert.Null((await ReviewAsync(assessment.Id, data.Member.Id))!.SubmittedAt);

        var submitted = await PostAsync(client, assessment.Id, page, "submit", ("correctness", "Weak", "Still ten statements.", null), ct, notesLevel: "Adequate", recommendation: "NoHire");
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        var submittedAt = (await ReviewAsync(assessment.Id, data.Member.Id))!.SubmittedAt;
        Assert.NotNull(submittedAt);

        // An amendment: the override with its reason, the score recomputed, the submission time kept.
        var amended = await PostAsync(client, assessment.Id, page, "save", ("correctness", "Strong", "Fixed in the follow-up push.", "The failing run hit a cold cache; the notes show 1 statement."), ct, notesLevel: "Adequate", recommendation: "Hire");
        Assert.Equal(HttpStatusCode.Redirect, amended.StatusCode);
        var final = await ReviewAsync(assessment.Id, data.Member.Id);
        Assert.Equal((submittedAt, 85.0, Recommendation.Hire), (final!.SubmittedAt, final.Score, final.Recommendation!.Value));
        Assert.Equal("The failing run hit a cold cache; the notes show 1 statement.", final.Criteria.Single(c => c.CriterionId == "correctness").OverrideReason);

        await using (var db = app.Database.CreateContext())
        {
            var trail = await db.AuditEvents.Where(e => e.SubjectId == assessment.Id.ToString() && e.Action.StartsWith("review.")).OrderBy(e => e.Id).ToListAsync(ct);
            Assert.Equal(["review.draft-saved", "review.submitted", "review.amended"], trail.Select(e => e.Action));
            // Each version whole: what was submitted is still readable after the amendment.
            using var submittedVersion = JsonDocument.Parse(trail[1].Data);
            Assert.Equal("NoHire", submittedVersion.RootElement.GetProperty("recommendation").GetString());
            Assert.Equal("Weak", submittedVersion.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "correctness").GetProperty("level").GetString());
        }

        var after = WebUtility.HtmlDecode(await app.GetPageAsync(client, $"/assessments/{assessment.Id}", ct));
        Assert.Contains("Save amendment", after);
        Assert.Contains("Your score: <strong>85</strong>", after);
        Assert.Contains("(70 × 1 + 30 × ½) ÷ 100 × 100 = 85", after);
    }

    [Fact]
    public async Task OtherReviewersLevelsStayHiddenUntilYouSubmitAndAuthorsDoNotScore()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app, blindReview: true).CreateAsync(manifest: await ReportTests.ManifestAsync("Fix the greeting."));
        var (assessment, _) = await data.AddGradedAsync(GreetingReport(statements: 1, oneStatementPasses: true), candidateName: "Grace Hopper");
        var second = await data.AddMemberAsync(OrganisationRole.Reviewer, "Second Reviewer");
        var admin = await data.AddMemberAsync(OrganisationRole.Admin, "Hiring Admin");
        var author = await data.AddMemberAsync(OrganisationRole.Author, "Scenario Author");
        const string FirstComment = "first-reviewer-comment-4f1c";

        using var first = await data.SignedInAsync(ct);
        var firstPage = await app.GetPageAsync(first, $"/assessments/{assessment.Id}", ct);
        Assert.Contains("Suggested: <span class=\"level strong\">strong</span>", firstPage);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(first, assessment.Id, firstPage, "submit", ("correctness", "Strong", FirstComment, null), ct, notesLevel: "Strong", recommendation: "StrongHire")).StatusCode);

        using var secondClient = await data.SignedInAsync(second.Email!, ct);
        async Task<string> SecondSees() => WebUtility.HtmlDecode(await app.GetPageAsync(secondClient, $"/assessments/{assessment.Id}", ct));
        var before = await SecondSees();
        Assert.DoesNotContain(FirstComment, before);
        Assert.DoesNotContain("strong yes", before.Replace("value=\"StrongHire\" /> strong yes", ""));
        Assert.Contains("1 other review (1 submitted). Their levels and recommendations show once you submit yours", before);
        var list = WebUtility.HtmlDecode(await app.GetPageAsync(secondClient, "/assessments", ct));
        Assert.Contains(">hidden</span>", list);
        Assert.DoesNotContain("submitted: strong yes", list);

        // A draft does not open them either.
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(secondClient, assessment.Id, before, "save", ("correctness", "Adequate", null, "Works, but the count is luck."), ct)).StatusCode);
        Assert.DoesNotContain(FirstComment, await SecondSees());

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(secondClient, assessment.Id, before, "submit", ("correctness", "Adequate", null, "Works, but the count is luck."), ct, recommendation: "Hire")).StatusCode);
        var afterSubmit = await SecondSees();
        Assert.Contains(FirstComment, afterSubmit);
        Assert.Contains("Recommendation: <strong>strong yes</strong> · score <strong>100</strong>", afterSubmit);
        var listAfter = WebUtility.HtmlDecode(await app.GetPageAsync(secondClient, "/assessments", ct));
        // Mean of 100 and the second reviewer's 50 (adequate on the only assessed criterion).
        Assert.Matches(@"data-label=""Score"" class=""num"">\s*<span title=""mean of the submitted reviews' weighted scores"">75</span>", listAfter);

        // An admin who is not reviewing sees both; an author reads the report without a form.
        using var adminClient = await data.SignedInAsync(admin.Email!, ct);
        var adminPage = WebUtility.HtmlDecode(await app.GetPageAsync(adminClient, $"/assessments/{assessment.Id}", ct));
        Assert.Contains(FirstComment, adminPage);
        Assert.Contains("Works, but the count is luck.", adminPage);
        using var authorClient = await data.SignedInAsync(author.Email!, ct);
        var authorPage = await app.GetPageAsync(authorClient, $"/assessments/{assessment.Id}", ct);
        Assert.Contains("Admins and reviewers score; your role reads the report.", authorPage);
        Assert.DoesNotContain(FirstComment, authorPage);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(authorClient, assessment.Id, authorPage, "save", ("correctness", "Weak", null, null), ct)).StatusCode);
    }

    private async Task<Review?> ReviewAsync(Guid assessmentId, Guid reviewerId)
    {
        await using var db = app.Database.CreateContext();
        return await db.Reviews.Include(r => r.Criteria).SingleOrDefaultAsync(r => r.AssessmentId == assessmentId && r.ReviewerId == reviewerId);
    }

    private static async Task<HttpResponseMessage> PostAsync(
        HttpClient client, Guid assessmentId, string page, string intent,
        (string Id, string Level, string? Comment, string? Reason) criterion, CancellationToken ct,
        string? notesLevel = null, string? recommendation = null)
    {
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebApp.FormToken(page),
            ["intent"] = intent,
            [$"review.Criteria[{criterion.Id}].Level"] = criterion.Level,
            [$"review.Criteria[{criterion.Id}].OverrideReason"] = criterion.Reason ?? "",
            [$"review.Criteria[{criterion.Id}].Comment"] = criterion.Comment ?? "",
            ["review.Criteria[notes].Level"] = notesLevel ?? "",
        };
        if (recommendation is not null)
        {
            form["review.Recommendation"] = recommendation;
        }

        return await client.PostAsync($"/assessments/{assessmentId}?handler=review", new FormUrlEncodedContent(form), ct);
    }

    /// <summary>A grading of the scaffold's greeting service: the restart test passes; the
    /// one-statement test and the count as given.</summary>
    private static GradingReport GreetingReport(double statements, bool oneStatementPasses) => ReportTests.Report() with
    {
        Verdict = oneStatementPasses ? Verdict.Passed : Verdict.TestsFailed,
        Tests =
        [
            new TestOutcome { Name = "GreetingTakesOneStatement", Visibility = TestVisibility.Hidden, Phase = "main", Status = oneStatementPasses ? TestStatus.Pass : TestStatus.Fail, Message = oneStatementPasses ? null : "GET /greeting took 10 statements" },
            new TestOutcome { Name = "GreetingCountSurvivesRestart", Visibility = TestVisibility.Hidden, Phase = "after-restart", Status = TestStatus.Pass },
        ],
        Metrics =
        [
            new MetricOutcome
            {
                Key = "statements_per_request", Title = "SQL statements per GET /greeting", Unit = "statements", Direction = Assessments.Runner.Results.MetricDirection.Lower,
                Primary = true, Kind = MetricKind.Counted, Candidate = statements, Baseline = 10, Ratio = statements / 10, Improvement = 10 / statements,
                Comparison = MetricComparison.Better, BaselineSource = BaselineSource.Measured, Samples = [statements], BaselineSamples = [10],
            },
        ],
    };

}
