using System.Net;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Invitations;

/// <summary>The candidate's page through the running app, as a browser without an account uses it.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed partial class CandidatePageTests(WebApp app) : IAsyncLifetime, IDisposable
{
    private readonly string _organisation = $"cand-{Guid.NewGuid():N}"[..16];
    private readonly HttpClient _browser = app.CreateClient();
    private readonly GitClient _git = new();

    public async ValueTask InitializeAsync()
    {
        await using var db = app.Database.CreateContext();
        db.Organisations.Add(new Organisation { Slug = _organisation, Name = "Hiring" });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), CancellationToken.None);
        await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
        _browser.Dispose();
        _git.Dispose();
    }

    [Fact]
    public async Task TheCandidateStartsSeesTheTokenOnceCanReplaceItAndFinishes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, path) = await InviteAsync(ct);

        var invited = await _browser.GetStringAsync(path, ct);
        Assert.Contains("Start the assessment", invited);
        Assert.Contains("You have <strong>2 hours</strong>", invited);
        Assert.Contains("The brief", invited);

        var started = await PostAsync(path, "start", invited, ct);
        var token = Token().Match(started).Groups[1].Value;
        Assert.StartsWith("asmt_", token);
        Assert.Contains($"git clone https://assess.example.test/git/{_organisation}/", started);
        Assert.Matches("<time datetime=\"[0-9-]+T[0-9:]+Z\">", started);

        // Shown once: the page never shows it again, and the token works with git.
        var later = await _browser.GetStringAsync(path, ct);
        Assert.DoesNotContain(token, later);
        Assert.Contains("Issue a new token", later);
        var assessment = await AssessmentAsync(id, ct);
        var url = $"http://candidate:{token}@{app.BaseAddress.Authority}/git/{_organisation}/{assessment.Slug}.git";
        await _git.SucceedAsync(null, "clone", "--quiet", url, "work");

        var replaced = await PostAsync(path, "token", later, ct);
        var second = Token().Match(replaced).Groups[1].Value;
        Assert.NotEqual(token, second);
        Assert.False(AccessTokens.Matches(token, (await AssessmentAsync(id, ct)).AccessTokenHash));
        Assert.NotEqual(0, (await _git.RunAsync(null, "ls-remote", url)).ExitCode);

        var done = await PostAsync(path, "done", replaced, ct);
        Assert.Contains("This assessment is closed", done);
        Assert.Contains("Nothing was pushed.", done);
        Assert.Equal(AssessmentStatus.ReadyForReview, (await AssessmentAsync(id, ct)).Status);
        await using var db = app.Database.CreateContext();
        Assert.Equal(["assessment.invited", "assessment.started", "assessment.token-issued", "assessment.closed"],
            await db.AuditEvents.Where(e => e.SubjectId == id.ToString()).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(ct));
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.SubjectId == id.ToString() && e.Actor == "candidate", ct));
    }

    [Fact]
    public async Task AnUnknownLinkIsNotFoundAndAFormWithoutItsAntiforgeryTokenIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync("/invitations/inv_not-a-real-secret", ct)).StatusCode);
        var (id, path) = await InviteAsync(ct);

        var forged = await _browser.PostAsync($"{path}?handler=start", new FormUrlEncodedContent([]), ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(AssessmentStatus.Invited, (await AssessmentAsync(id, ct)).Status);
    }

    private async Task<(Guid Id, string Path)> InviteAsync(CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var invitation = await scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>().InviteAsync(
            new InvitationRequest("greeting", $"grace.{Guid.NewGuid():N}@example.com", "Grace Hopper", null, _organisation, null, null, TimeSpan.FromHours(2)),
            "test",
            cancellationToken);
        return (invitation.AssessmentId, new Uri(invitation.Link).AbsolutePath);
    }

    private async Task<Assessment> AssessmentAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = app.Database.CreateContext();
        return await db.Assessments.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken);
    }

    private async Task<string> PostAsync(string path, string handler, string page, CancellationToken cancellationToken)
    {
        var form = Forms().Matches(page).Single(m => m.Groups[1].Value.Contains($"handler={handler}", StringComparison.Ordinal));
        var response = await _browser.PostAsync(form.Groups[1].Value.Replace("&amp;", "&"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = form.Groups[2].Value,
        }), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    [GeneratedRegex("<code class=\"token\">([^<]+)</code>")]
    private static partial Regex Token();

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"[^>]*>.*?name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex Forms();
}
