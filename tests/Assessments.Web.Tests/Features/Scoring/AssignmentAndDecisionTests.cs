using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Scoring;
using Assessments.Web.Tests.Features.Reviewing;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Scoring;

/// <summary>An admin assigns reviewers, who are mailed when the assessment is ready and find it on
/// their "to review" page; the admin decides once the reviews are in. Then every candidate of the
/// scenario side by side, and the exports.</summary>
public sealed partial class AssignmentAndDecisionTests(WebApp app)
{
    [Fact]
    public async Task AssignedReviewersAreMailedOnceWhenReadyAndTheAdminDecidesOnceTheirReviewsAreIn()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app, blindReview: true).CreateAsync(OrganisationRole.Admin, manifest: await ReportTests.ManifestAsync("Fix the greeting."));
        var (assessment, _) = await data.AddGradedAsync(ReportTests.Report(), candidateName: "Hedy Lamarr");
        var rita = await data.AddMemberAsync(OrganisationRole.Reviewer, "Rita Reviewer");
        await data.AddMemberAsync(OrganisationRole.Author, "Andy Author");
        using var admin = await data.SignedInAsync(ct);

        // The admin picks Rita; an author is not offered.
        var page = await app.GetPageAsync(admin, $"/assessments/{assessment.Id}", ct);
        Assert.Contains($"value=\"{rita.Id}\"", page);
        Assert.DoesNotContain("Andy Author", page);
        var assigned = await PostAsync(admin, $"/assessments/{assessment.Id}?handler=assign", page, ct, ("reviewers", rita.Id.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, assigned.StatusCode);
        await using (var db = app.Database.CreateContext())
        {
            var review = await db.Reviews.SingleAsync(r => r.AssessmentId == assessment.Id, ct);
            Assert.Equal((rita.Id, data.Member.Id), (review.ReviewerId, review.AssignedById!.Value));
            // Not ready yet: nothing to mail.
            Assert.DoesNotContain(await MailMessagesAsync(db, ct), m => m.Contains(assessment.Id.ToString(), StringComparison.Ordinal));
        }

        // A decision waits for Rita's review.
        var early = await PostAsync(admin, $"/assessments/{assessment.Id}?handler=decide", page, ct, ("decision", "Advance"), ("reason", "Looks fine."));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.StatusCode);
        Assert.Contains("A decision waits until the assessment is ready for review.", await early.Content.ReadAsStringAsync(ct));

        // Closing makes it ready, which queues the mail with the close; the job mails Rita once.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>().CloseAsync(assessment.Id, "test", "deadline", ct);
        }

        await using (var db = app.Database.CreateContext())
        {
            Assert.Single(await MailMessagesAsync(db, ct), m => m.Contains(assessment.Id.ToString(), StringComparison.Ordinal));
        }

        await RunMailJobAsync(assessment.Id, ct);
        await RunMailJobAsync(assessment.Id, ct);
        var mail = Assert.Single(app.Smtp.ReceivedEmail, m => m.ToAddresses.Any(a => a.Address == rita.Email));
        Assert.Equal($"Ready for your review: {data.Scenario.Title}", mail.Subject);
        var body = mail.MessageParts[0].BodyData;
        Assert.Contains($"/assessments/{assessment.Id}", body);
        Assert.DoesNotContain("Hedy", body);

        // Rita's list: the assessment waits for her, under its pseudonym (the organisation reviews blind).
        using var ritaClient = await data.SignedInAsync(rita.Email!, ct);
        var toReview = WebUtility.HtmlDecode(await app.GetPageAsync(ritaClient, "/reviews", ct));
        Assert.Contains(Blinding.Pseudonym(assessment.Id), toReview);
        Assert.DoesNotContain("Hedy Lamarr", toReview);
        Assert.Contains("not started · assigned to you", toReview);

        var stillWaiting = await PostAsync(admin, $"/assessments/{assessment.Id}?handler=decide", page, ct, ("decision", "Advance"), ("reason", "Looks fine."));
        Assert.Contains("Waiting for the assigned review of Rita Reviewer.", await stillWaiting.Content.ReadAsStringAsync(ct));

        var ritaPage = await app.GetPageAsync(ritaClient, $"/assessments/{assessment.Id}", ct);
        var submitted = await PostAsync(ritaClient, $"/assessments/{assessment.Id}?handler=review", ritaPage, ct, ("intent", "submit"), ("review.Recommendation", "Hire"), ("review.Criteria[notes].Level", "Strong"));
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        Assert.Contains("Hedy Lamarr", WebUtility.HtmlDecode(await app.GetPageAsync(ritaClient, "/reviews", ct)));

        // Now the admin decides, and must say why.
        var noReason = await PostAsync(admin, $"/assessments/{assessment.Id}?handler=decide", page, ct, ("decision", "Advance"));
        Assert.Contains("Choose advance, reject or hold, and say why.", await noReason.Content.ReadAsStringAsync(ct));
        var decided = await PostAsync(admin, $"/assessments/{assessment.Id}?handler=decide", page, ct, ("decision", "Advance"), ("reason", "Strong fix, clear notes."));
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        await using (var db = app.Database.CreateContext())
        {
            var stored = await db.Assessments.SingleAsync(a => a.Id == assessment.Id, ct);
            Assert.Equal((AssessmentStatus.Reviewed, HiringDecision.Advance, "Strong fix, clear notes.", data.Member.Id), (stored.Status, stored.Decision!.Value, stored.DecisionReason, stored.DecidedById!.Value));
            Assert.True(await db.AuditEvents.AnyAsync(e => e.SubjectId == assessment.Id.ToString() && e.Action == "assessment.decided", ct));
        }

        var report = WebUtility.HtmlDecode(await app.GetPageAsync(admin, $"/assessments/{assessment.Id}", ct));
        Assert.Contains("<strong>advance</strong>", report);
        Assert.Contains("Strong fix, clear notes.", report);
    }

    [Fact]
    public async Task CandidatesSideBySideAndTheExportsShowWhatEachReaderMaySee()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app, blindReview: true).CreateAsync(OrganisationRole.Admin, scenarioSlug: $"side-{Guid.NewGuid():N}"[..16], manifest: await ReportTests.ManifestAsync("Fix the greeting."));
        var (first, _) = await data.AddGradedAsync(ReportTests.Report(), candidateName: "Alan Turing");
        var (second, _) = await data.AddGradedAsync(ReportTests.Report(), candidateName: "=HYPERLINK(\"http://example.com\")");
        var (third, _) = await data.AddGradedAsync(ReportTests.Report(), candidateName: "Barbara Liskov");
        var reviewer = await data.AddMemberAsync(OrganisationRole.Reviewer, "Rita Reviewer");
        var other = await data.AddMemberAsync(OrganisationRole.Reviewer, "Otto Other");
        await using (var db = app.Database.CreateContext())
        {
            foreach (var (assessment, score, recommendation) in new[] { (first, 90.0, Recommendation.StrongHire), (second, 40.0, Recommendation.NoHire) })
            {
                db.Reviews.Add(new Review { AssessmentId = assessment.Id, ReviewerId = reviewer.Id, SubmittedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, Score = score, Recommendation = recommendation });
            }

            await db.SaveChangesAsync(ct);
        }

        // The admin, not reviewing: every name and score, the chosen candidate marked on both charts.
        using var admin = await data.SignedInAsync(ct);
        var page = WebUtility.HtmlDecode(await app.GetPageAsync(admin, $"/scenarios/{data.Scenario.Slug}/candidates?selected={first.Id}", ct));
        Assert.Contains("Alan Turing", page);
        Assert.Contains("Barbara Liskov", page);
        Assert.Equal(2, Regex.Matches(page, "<circle class=\"selected\"").Count);
        Assert.Contains("Weighted score: 2 candidates, median 65; Alan Turing 90", page);
        Assert.Contains("1 of 2", page);
        Assert.Contains("strong yes", page);
        // Sorted by score, best first; unscored last.
        var order = new[] { "Alan Turing", "=HYPERLINK", "Barbara Liskov" }.Select(n => page.IndexOf(n, page.IndexOf("<tbody>", StringComparison.Ordinal), StringComparison.Ordinal)).ToList();
        Assert.True(order[0] < order[1] && order[1] < order[2], string.Join(", ", order));

        var csv = Encoding.UTF8.GetString(await admin.GetByteArrayAsync($"/scenarios/{data.Scenario.Slug}/candidates?handler=csv", ct)).TrimStart('\uFEFF');
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("candidate,status,decision,score,reviews_submitted,recommendations,statements_per_request_baseline,", lines[0]);
        Assert.StartsWith("Alan Turing,started,,90,1,strong yes,10,1,0.1,1,2,", lines[1]);
        // A name a spreadsheet would run as a formula is written as text.
        Assert.StartsWith("\"'=HYPERLINK(\"\"http://example.com\"\")\",started,,40,", lines[2]);

        // A reviewer who has reviewed none of them reads blind: pseudonyms, no scores, in the page and both exports.
        using var otto = await data.SignedInAsync(other.Email!, ct);
        var blind = WebUtility.HtmlDecode(await app.GetPageAsync(otto, $"/scenarios/{data.Scenario.Slug}/candidates", ct));
        var blindCsv = Encoding.UTF8.GetString(await otto.GetByteArrayAsync($"/scenarios/{data.Scenario.Slug}/candidates?handler=csv", ct));
        var blindList = Encoding.UTF8.GetString(await otto.GetByteArrayAsync("/assessments?handler=csv", ct));
        foreach (var text in new[] { blind, blindCsv, blindList })
        {
            Assert.DoesNotContain("Alan Turing", text);
            Assert.DoesNotContain("Barbara", text);
            Assert.Contains(Blinding.Pseudonym(first.Id), text);
        }

        Assert.DoesNotContain("strong yes", blind);
        Assert.Contains($"{Blinding.Pseudonym(first.Id)},started,,,1,,", blindCsv);

        // The reviewer who submitted on the first two sees those two, and only those.
        using var rita = await data.SignedInAsync(reviewer.Email!, ct);
        var ritas = WebUtility.HtmlDecode(await app.GetPageAsync(rita, $"/scenarios/{data.Scenario.Slug}/candidates", ct));
        Assert.Contains("Alan Turing", ritas);
        Assert.DoesNotContain("Barbara Liskov", ritas);
        Assert.Contains(Blinding.Pseudonym(third.Id), ritas);

        // The admin puts Otto on every open assessment of the scenario at once; Rita may not.
        var board = await app.GetPageAsync(admin, $"/scenarios/{data.Scenario.Slug}/candidates", ct);
        var assigned = await PostAsync(admin, $"/scenarios/{data.Scenario.Slug}/candidates?handler=assign", board, ct, ("reviewers", other.Id.ToString()));
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        Assert.Contains("Assigned to 3 assessments of", await assigned.Content.ReadAsStringAsync(ct));
        await using (var db = app.Database.CreateContext())
        {
            Assert.Equal(3, await db.Reviews.CountAsync(r => r.ReviewerId == other.Id && r.AssignedById == data.Member.Id, ct));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(rita, $"/scenarios/{data.Scenario.Slug}/candidates?handler=assign", ritas, ct, ("reviewers", reviewer.Id.ToString()))).StatusCode);
    }

    /// <summary>The payloads of the "ready for your review" messages in the outbox.</summary>
    private static async Task<List<string>> MailMessagesAsync(AssessmentsDbContext db, CancellationToken ct) =>
        await db.OutboxMessages.Where(m => m.Kind == ReviewReadyMail.Kind).Select(m => m.Payload).ToListAsync(ct);

    private async Task RunMailJobAsync(Guid assessmentId, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReviewReadyMailJob>().RunAsync(assessmentId, ct);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string page, CancellationToken ct, params (string Name, string Value)[] fields)
    {
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", WebApp.FormToken(page)));
        return await client.PostAsync(url, new FormUrlEncodedContent(form), ct);
    }

}
