using System.Net;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features;

public sealed partial class TeamTests(WebApp app)
{
    [Fact]
    public async Task AnAdminInvitesByMailAndTheMemberJoinsBySettingAPassword()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        using var adminClient = await admin.SignedInAsync(ct);
        var email = $"new-{Guid.NewGuid():N}@example.com";

        var team = await app.GetPageAsync(adminClient, $"/organisations/{admin.Organisation.Slug}/team", ct);
        var invited = await PostAsync(adminClient, $"/organisations/{admin.Organisation.Slug}/team?handler=invite", team, new() { ["InviteEmail"] = email, ["InviteRole"] = "Author" }, ct);
        Assert.Contains($"Invitation mailed to {email}", await invited.Content.ReadAsStringAsync(ct));

        var link = LinkIn(MailTo(email), "/team/join/");
        using var member = app.CreateClient();
        var join = await app.GetPageAsync(member, link, ct);
        Assert.Contains("Join Acme Hiring", join);
        var joined = await PostAsync(member, link, join, new() { ["DisplayName"] = "Nora Newcomer", ["Password"] = ReviewData.Password }, ct);
        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        Assert.Equal("/assessments", joined.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/assessments", ct)).StatusCode);

        await using (var db = app.Database.CreateContext())
        {
            var membership = await db.Memberships.Include(m => m.User).SingleAsync(m => m.User!.Email == email, ct);
            Assert.Equal((OrganisationRole.Author, admin.Organisation.Id, "Nora Newcomer"), (membership.Role, membership.OrganisationId, membership.User!.DisplayName));
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "team.joined" && e.OrganisationId == admin.Organisation.Id, ct));
        }

        // The link worked once.
        using var again = app.CreateClient();
        Assert.Contains("This link does not work", await app.GetPageAsync(again, link, ct));
    }

    [Fact]
    public async Task AnAdminChangesARoleButAnOrganisationKeepsAnAdmin()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        var other = await app.CreateUserAsync($"colleague-{Guid.NewGuid():N}@example.com", ReviewData.Password);
        await using (var db = app.Database.CreateContext())
        {
            db.Memberships.Add(new Membership { OrganisationId = admin.Organisation.Id, UserId = other.Id, Role = OrganisationRole.Reviewer });
            await db.SaveChangesAsync(ct);
        }

        using var client = await admin.SignedInAsync(ct);
        var url = $"/organisations/{admin.Organisation.Slug}/team";
        var team = await app.GetPageAsync(client, url, ct);
        var promoted = await PostAsync(client, $"{url}?handler=role&userId={other.Id}", team, new() { ["role"] = "Admin" }, ct);
        Assert.Contains("is now admin", WebUtility.HtmlDecode(await promoted.Content.ReadAsStringAsync(ct)));

        // Two admins: one may step down; then the last one may not.
        var stepDown = await PostAsync(client, $"{url}?handler=role&userId={admin.Member.Id}", team, new() { ["role"] = "Reviewer" }, ct);
        Assert.Equal(HttpStatusCode.OK, stepDown.StatusCode);
        await using (var db = app.Database.CreateContext())
        {
            Assert.Equal(OrganisationRole.Reviewer, (await db.Memberships.SingleAsync(m => m.UserId == admin.Member.Id, ct)).Role);
        }

        using var otherClient = app.CreateClient();
        await WebApp.SignInAsync(otherClient, other.Email!, ReviewData.Password, ct);
        var page = await app.GetPageAsync(otherClient, url, ct);
        var refused = await PostAsync(otherClient, $"{url}?handler=remove&userId={other.Id}", page, [], ct);
        Assert.Contains("is the only admin", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(ct)));

        // The former admin, now a reviewer, may not see the team page; a stranger does not find it.
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync(url, ct)).StatusCode);
        var stranger = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        using var strangerClient = await stranger.SignedInAsync(ct);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerClient.GetAsync(url, ct)).StatusCode);
    }

    [Fact]
    public async Task APasswordIsResetThroughAMailedLinkThatAlsoLiftsALockout()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"forgetful-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, ReviewData.Password);
        using var client = app.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await WebApp.SignInAsync(client, email, $"wrong-{i}-password", ct);
        }

        var form = await app.GetPageAsync(client, "/account/forgot", ct);
        var asked = await PostAsync(client, "/account/forgot", form, new() { ["Email"] = email }, ct);
        Assert.Contains("a link to choose a new password is on its way", await asked.Content.ReadAsStringAsync(ct));
        // An unknown address gets the same answer and no mail.
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";
        var none = await PostAsync(client, "/account/forgot", form, new() { ["Email"] = unknown }, ct);
        Assert.Contains("a link to choose a new password is on its way", await none.Content.ReadAsStringAsync(ct));
        Assert.DoesNotContain(app.Smtp.ReceivedEmail, m => m.ToAddresses.Any(a => a.Address == unknown));

        var link = LinkIn(MailTo(email), "/account/reset");
        var reset = await app.GetPageAsync(client, link, ct);
        const string NewPassword = "a-brand-new-passphrase";
        var saved = await PostAsync(client, link, reset, new() { ["Email"] = email, ["Token"] = TokenOf(link), ["Password"] = NewPassword }, ct);
        Assert.Contains("Your password is changed", await saved.Content.ReadAsStringAsync(ct));

        using var fresh = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await WebApp.SignInAsync(fresh, email, ReviewData.Password, ct)).StatusCode);
        using var fresher = app.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await WebApp.SignInAsync(fresher, email, NewPassword, ct)).StatusCode);

        // The link worked once.
        var reused = await PostAsync(client, link, reset, new() { ["Email"] = email, ["Token"] = TokenOf(link), ["Password"] = "yet-another-passphrase" }, ct);
        Assert.Contains("This link does not work", await reused.Content.ReadAsStringAsync(ct));
    }

    private string MailTo(string email)
    {
        var mail = Assert.Single(app.Smtp.ReceivedEmail, m => m.ToAddresses.Any(a => a.Address == email));
        return mail.MessageParts[0].BodyData;
    }

    private static string LinkIn(string body, string path)
    {
        var match = Regex.Match(body, $@"https://assess\.example\.test({Regex.Escape(path)}\S*)");
        Assert.True(match.Success, $"No {path} link in the mail:\n{body}");
        return match.Groups[1].Value;
    }

    private static string TokenOf(string link) => Uri.UnescapeDataString(Regex.Match(link, "token=([^&]+)").Groups[1].Value);

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string page, Dictionary<string, string> fields, CancellationToken ct)
    {
        fields["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value;
        return await client.PostAsync(url, new FormUrlEncodedContent(fields), ct);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
