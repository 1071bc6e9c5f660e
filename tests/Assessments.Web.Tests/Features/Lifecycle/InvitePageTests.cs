using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Lifecycle;

/// <summary><c>/assessments/invite</c> through the running app: one candidate at once; a CSV file
/// previewed with each row's problems (no name, not an address, twice in the file, invited to the
/// scenario already) and nothing sent until the admin sends the rows that are right; a file that
/// cannot be read is refused saying why.</summary>
public sealed partial class InvitePageTests(WebApp app)
{
    [Fact]
    public async Task AnAdminInvitesOneThenPreviewsAFileSeesEachRowsProblemsAndSendsTheRest()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        await using (var db = app.Database.CreateContext())
        {
            await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), ct);
            await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash, ct);
        }

        var unique = Guid.NewGuid().ToString("N")[..8];
        string Address(string who) => $"{who}.{unique}@example.com";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>().InviteAsync(
                new InvitationRequest("greeting", Address("taken"), "Tak En", null, data.Organisation.Slug, null, null, TimeSpan.FromHours(2)), "test", ct);
        }

        using var admin = await data.SignedInAsync(ct);
        Terms terms = [("Form.Scenario", "greeting"), ("Form.TimeLimitHours", "3")];

        // One candidate, sent at once, with the link shown once and the admin as the actor.
        var (status, page) = await PostAsync(admin, "single", [.. terms, ("name", "Ada Lovelace"), ("email", Address("ada"))], ct);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches("<code class=\"token\">https://assess.example.test/invitations/inv_", page);
        await using (var db = app.Database.CreateContext())
        {
            var adaEmail = Address("ada");
            var ada = await db.Assessments.Include(a => a.Candidate).SingleAsync(a => a.Candidate!.Email == adaEmail, ct);
            Assert.Equal(TimeSpan.FromHours(3), ada.TimeLimit);
            Assert.Equal(data.MemberEmail, (await db.AuditEvents.SingleAsync(e => e.Action == "assessment.invited" && e.SubjectId == ada.Id.ToString(), ct)).Actor);
        }

        var (refused, refusal) = await PostAsync(admin, "single", [.. terms, ("name", "Bad"), ("email", "not-an-address")], ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Contains("'not-an-address' is not an email address.", WebUtility.HtmlDecode(refusal));

        // A file: columns in any order, an extra one ignored, a quoted name with a comma.
        var csv = $"""
            Email,Name,GitHub,Team
            {Address("grace")},Grace Hopper,,backend
            {Address("linus")},Linus,torvalds,
            {Address("GRACE")},Grace Again,,
            nobody-at-all,No Address,,
            {Address("nameless")},,,
            {Address("taken")},Tak En,,
            {Address("ada2")},"Lovelace, Ada",,
            """;
        var (previewed, preview) = await UploadAsync(admin, terms, csv, "team.csv", ct);
        Assert.Equal(HttpStatusCode.OK, previewed);
        var text = WebUtility.HtmlDecode(preview);
        Assert.Contains("3 of 7 rows can be sent", text);
        Assert.Contains("The same address as line 2.", text);
        Assert.Contains("'nobody-at-all' is not an email address.", text);
        Assert.Contains("No name.", text);
        Assert.Contains("Invited to greeting already.", text);
        Assert.Contains("Lovelace, Ada", text);
        Assert.Equal(0, await CountAsync(data.Organisation.Id, unique, ["grace", "linus", "ada2"], ct));

        // Sent from the preview: the three rows that are right, each with its link.
        var fields = Hidden().Matches(preview).Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .Where(f => f.Item1 is "line" or "rowName" or "rowEmail" or "rowGitHub").ToList();
        var (sentStatus, sent) = await PostAsync(admin, "send", [.. terms, .. fields], ct, page: preview);
        Assert.Equal(HttpStatusCode.OK, sentStatus);
        Assert.Equal(3, Regex.Matches(sent, "<code class=\"token\">").Count);
        Assert.Equal(3, await CountAsync(data.Organisation.Id, unique, ["grace", "linus", "ada2"], ct));
        await using (var db = app.Database.CreateContext())
        {
            var (linus, ada2) = (Address("linus"), Address("ada2"));
            Assert.Equal("torvalds", await db.Candidates.Where(c => c.Email == linus).Select(c => c.GitHubLogin).SingleAsync(ct));
            Assert.Equal("Lovelace, Ada", await db.Candidates.Where(c => c.Email == ada2).Select(c => c.Name).SingleAsync(ct));
        }

        // Sending the same preview twice invites nobody twice.
        var (_, again) = await PostAsync(admin, "send", [.. terms, .. fields], ct, page: preview);
        Assert.Equal(3, Regex.Matches(WebUtility.HtmlDecode(again), "not sent: Invited to greeting already.").Count);

        // A file that does not read: said why, nothing sent.
        var (broken, brokenPage) = await UploadAsync(admin, terms, "who,address\nAda,ada@example.com\n", "wrong.csv", ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, broken);
        Assert.Contains("wrong.csv: Line 1 names the columns 'who', 'address': it needs 'name' and 'email'", WebUtility.HtmlDecode(brokenPage));
    }

    private async Task<int> CountAsync(Guid organisation, string unique, string[] who, CancellationToken ct)
    {
        var emails = who.Select(w => $"{w}.{unique}@example.com").ToList();
        await using var db = app.Database.CreateContext();
        return await db.Assessments.CountAsync(a => a.OrganisationId == organisation && emails.Contains(a.Candidate!.Email), ct);
    }

    private static async Task<(HttpStatusCode Status, string Page)> PostAsync(HttpClient client, string handler, IEnumerable<(string Name, string Value)> fields, CancellationToken ct, string? page = null)
    {
        page ??= await client.GetStringAsync("/assessments/invite", ct);
        var form = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", WebApp.FormToken(page)) };
        form.AddRange(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        using var response = await client.PostAsync($"/assessments/invite?handler={handler}", new FormUrlEncodedContent(form), ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private static async Task<(HttpStatusCode Status, string Page)> UploadAsync(HttpClient client, Terms terms, string csv, string fileName, CancellationToken ct)
    {
        var page = await client.GetStringAsync("/assessments/invite", ct);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebApp.FormToken(page)), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "candidates", fileName },
        };
        foreach (var (name, value) in terms)
        {
            form.Add(new StringContent(value), name);
        }

        using var response = await client.PostAsync("/assessments/invite?handler=preview", form, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private sealed class Terms : List<(string Name, string Value)>;

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex Hidden();
}
