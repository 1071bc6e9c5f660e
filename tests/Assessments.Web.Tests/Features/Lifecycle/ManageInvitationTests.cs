using System.Net;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Lifecycle;

/// <summary><c>/assessments/{id}/invitation</c> through the running app: an admin sends an
/// invitation again (the old link stops working, the new one works), extends it, and revokes it:
/// the candidate's link then says it was withdrawn, their git token stops working at once, the
/// repository stays; each step audited. A revocation without a reason changes nothing.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed partial class ManageInvitationTests(WebApp app) : IDisposable
{
    private readonly HttpClient _candidate = app.CreateClient();
    private readonly GitClient _git = new();

    public void Dispose()
    {
        _candidate.Dispose();
        _git.Dispose();
    }

    [Fact]
    public async Task AnAdminSendsAgainExtendsAndRevokesAndTheCandidatesLinkAndTokenStopAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        await using (var db = app.Database.CreateContext())
        {
            await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), CancellationToken.None);
            await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash, ct);
        }

        Invitation invitation;
        StartedAssessment started;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var lifecycle = scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>();
            invitation = await lifecycle.InviteAsync(
                new InvitationRequest("greeting", $"mia.{Guid.NewGuid():N}@example.com", "Mia Lindqvist", null, data.Organisation.Slug, null, null, TimeSpan.FromHours(2)),
                "test",
                ct);
            started = await lifecycle.StartAsync(invitation.AssessmentId, "candidate", ct);
        }

        var id = invitation.AssessmentId;
        var oldLink = new Uri(invitation.Link).AbsolutePath;
        var repository = $"http://candidate:{started.Token}@{app.BaseAddress.Authority}{new Uri(started.CloneUrl!).AbsolutePath}";
        Assert.Equal(0, (await _git.RunAsync(null, "ls-remote", repository)).ExitCode);
        using var admin = await data.SignedInAsync(ct);
        var page = await app.GetPageAsync(admin, $"/assessments/{id}/invitation", ct);
        Assert.Contains("Mia Lindqvist", WebUtility.HtmlDecode(page));
        Assert.Contains($"href=\"/assessments/{id}/invitation\"", await app.GetPageAsync(admin, $"/assessments/{id}", ct));

        // Sent again: a new link, shown once; the old one no longer opens anything.
        var (status, resent) = await PostAsync(admin, id, "resend", ct);
        Assert.Equal(HttpStatusCode.OK, status);
        var newLink = new Uri(NewLink().Match(resent).Groups[1].Value).AbsolutePath;
        Assert.NotEqual(oldLink, newLink);
        Assert.Equal(HttpStatusCode.NotFound, (await _candidate.GetAsync(oldLink, ct)).StatusCode);
        var candidatesPage = await _candidate.GetStringAsync(newLink, ct);
        Assert.Contains("Mia Lindqvist", WebUtility.HtmlDecode(candidatesPage));

        // More time: the deadline moves by the hours chosen.
        var before = (await AssessmentAsync(id, ct)).EffectiveDeadline!.Value;
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(admin, id, "extend", ct, ("hours", "4"))).Status);
        Assert.Equal(before.AddHours(4), (await AssessmentAsync(id, ct)).EffectiveDeadline);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(admin, id, "extend", ct, ("hours", "1000"))).Status);

        // A revocation needs a reason; without one nothing changes.
        var (refused, refusal) = await PostAsync(admin, id, "revoke", ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Contains("Say why the invitation is revoked", refusal);
        Assert.Equal(AssessmentStatus.Started, (await AssessmentAsync(id, ct)).Status);

        var (revoked, after) = await PostAsync(admin, id, "revoke", ct, ("reason", "The position was filled"));
        Assert.Equal(HttpStatusCode.OK, revoked);
        Assert.Contains("nothing about the invitation can change now", after);
        Assert.Equal(AssessmentStatus.Cancelled, (await AssessmentAsync(id, ct)).Status);
        // At once: the link says so (no brief, no actions), the token opens nothing, the repository is kept.
        var withdrawn = WebUtility.HtmlDecode(await _candidate.GetStringAsync(newLink, ct));
        Assert.Contains("The hiring team has withdrawn this invitation.", withdrawn);
        Assert.DoesNotContain("I'm done", withdrawn);
        Assert.DoesNotContain("The brief", withdrawn);
        Assert.NotEqual(0, (await _git.RunAsync(null, "ls-remote", repository)).ExitCode);
        // "I'm done" from the page she still had open does nothing but say so.
        using (var done = await _candidate.PostAsync($"{newLink}?handler=done", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebApp.FormToken(candidatesPage),
        }), ct))
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            var body = WebUtility.HtmlDecode(await done.Content.ReadAsStringAsync(ct));
            Assert.Contains("The hiring team has withdrawn this invitation.", body);
            Assert.DoesNotContain("is cancelled", body);
        }

        var assessment = await AssessmentAsync(id, ct);
        Assert.Equal(AssessmentStatus.Cancelled, assessment.Status);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Assessments.Web.Features.Git.RepositoryOptions>>().Value;
        Assert.True(Directory.Exists(options.PathOf(data.Organisation.Slug, assessment.Slug)));
        // And it stays revoked: nothing to send again or extend.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(admin, id, "resend", ct)).Status);

        await using var audit = app.Database.CreateContext();
        var actions = await audit.AuditEvents.Where(e => e.SubjectId == id.ToString()).OrderBy(e => e.Id).Select(e => new { e.Action, e.Actor }).ToListAsync(ct);
        Assert.Equal(["assessment.invited", "assessment.started", "assessment.invitation-resent", "assessment.extended", "assessment.revoked"], actions.Select(a => a.Action));
        Assert.All(actions.Skip(2), a => Assert.Equal(data.MemberEmail, a.Actor));
    }

    private async Task<Assessment> AssessmentAsync(Guid id, CancellationToken ct)
    {
        await using var db = app.Database.CreateContext();
        return await db.Assessments.AsNoTracking().SingleAsync(a => a.Id == id, ct);
    }

    private static async Task<(HttpStatusCode Status, string Page)> PostAsync(HttpClient client, Guid id, string handler, CancellationToken ct, params (string Name, string Value)[] fields)
    {
        var page = await client.GetStringAsync($"/assessments/{id}/invitation", ct);
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = WebApp.FormToken(page) };
        foreach (var (name, value) in fields)
        {
            form[name] = value;
        }

        using var response = await client.PostAsync($"/assessments/{id}/invitation?handler={handler}", new FormUrlEncodedContent(form), ct);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(ct)));
    }

    [GeneratedRegex("<code class=\"token\">([^<]+)</code>")]
    private static partial Regex NewLink();
}
