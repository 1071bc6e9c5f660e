using System.Net;
using Assessments.Scenarios;
using Assessments.Tests.Shared;
using Assessments.Web.Data;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Library;

/// <summary><c>/scenarios/{scenario}</c> through the real app, on a package imported into an
/// organisation's library: the brief rendered inert, the rubric, the metrics, the template's files
/// (and nothing outside the template), the candidates; the hidden tests named to admins and authors
/// only; another organisation finds no such scenario.</summary>
public sealed class ScenarioPageTests(WebApp app)
{
    [Fact]
    public async Task MembersReadTheScenarioAndItsTemplateAndOnlyAuthorsAndAdminsSeeTheHiddenTests()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Reviewer);
        var author = await data.AddMemberAsync(OrganisationRole.Author, "Ann Author");
        var stranger = await new ReviewData(app).CreateAsync(OrganisationRole.Admin);
        var id = $"page-{Guid.NewGuid():N}"[..16];
        using var package = new TestPackage();
        package.EditManifest("id: tiny", $"id: {id}");
        package.EditManifest("  Fix the service.", "  Fix the **slow** service.\n  <script>window.pwned = 1</script>\n\n  Then explain it.");
        package.Write("template/data/seed.bin", "ab\0cd");
        await ImportAsync(package, data.Organisation.Id, ct);

        using var reviewer = await data.SignedInAsync(ct);
        var raw = await app.GetPageAsync(reviewer, $"/scenarios/{id}", ct);
        var page = WebUtility.HtmlDecode(raw);
        // The brief as the candidate reads it: Markdown rendered, HTML inert.
        Assert.Contains("<strong>slow</strong>", raw);
        Assert.DoesNotContain("<script>window.pwned", raw);
        Assert.Contains("Tiny service", page);
        Assert.Contains("Right and explained.", page);
        Assert.Contains("statements_per_request", page);
        Assert.Contains("not verified", page);
        // The template, and no file outside it.
        Assert.Contains("src/Tiny/", page);
        Assert.Contains("Program.cs", page);
        Assert.DoesNotContain("HiddenTests.cs", page);
        Assert.DoesNotContain("// fixed", page);
        // The reviewer scores against hidden tests on reports, but gets no list of them here.
        Assert.DoesNotContain("AnswersHello", page);
        Assert.DoesNotContain("RemembersAfterRestart", page);
        Assert.Contains("No candidate of your organisations has taken this scenario yet.", page);

        var file = WebUtility.HtmlDecode(await app.GetPageAsync(reviewer, $"/scenarios/{id}?file=src/Tiny/Program.cs", ct));
        Assert.Contains("var app = WebApplication.Create(args); app.Run();", file);
        Assert.Contains("A binary file of 5 bytes.", WebUtility.HtmlDecode(await app.GetPageAsync(reviewer, $"/scenarios/{id}?file=data/seed.bin", ct)));
        // Paths are looked up among the template's files, never resolved: the package's other folders stay shut.
        foreach (var outside in new[] { "../solution/src/Tiny/Program.cs", "../hidden/Tiny.Hidden/HiddenTests.cs", "../scenario.yaml", "/etc/passwd" })
        {
            var refused = WebUtility.HtmlDecode(await app.GetPageAsync(reviewer, $"/scenarios/{id}?file={Uri.EscapeDataString(outside)}", ct));
            Assert.Contains("The template has no such file.", refused);
            Assert.DoesNotContain("// fixed", refused);
            Assert.DoesNotContain("AnswersHello", refused);
        }

        // The author reads the hidden side: each test, its phase and why the template fails it.
        using var authorClient = await data.SignedInAsync(author.Email!, ct);
        var authors = WebUtility.HtmlDecode(await app.GetPageAsync(authorClient, $"/scenarios/{id}", ct));
        Assert.Contains("AnswersHello", authors);
        Assert.Contains("after-restart", authors);
        Assert.Contains("fails: forgot", authors);

        // Candidates, counted for the caller's organisation, with the way to the side-by-side board.
        await data.AddAssessmentsAsync(2);
        // (Those two are of the ReviewData's own scenario, not this one: still none here.)
        Assert.Contains("has taken this scenario yet", WebUtility.HtmlDecode(await app.GetPageAsync(reviewer, $"/scenarios/{id}", ct)));
        var ofData = WebUtility.HtmlDecode(await app.GetPageAsync(reviewer, $"/scenarios/{data.Scenario.Slug}", ct));
        Assert.Contains("started: <strong>2</strong>", ofData);
        Assert.Contains($"href=\"/scenarios/{data.Scenario.Slug}/candidates\"", ofData);
        // A stored archive that does not read is said so, not a failed page.
        Assert.Contains("does not read, so its template cannot be listed", ofData);

        // Another organisation's scenario does not exist for its admin; an unknown version neither.
        using var strangerClient = await stranger.SignedInAsync(ct);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerClient.GetAsync($"/scenarios/{id}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reviewer.GetAsync($"/scenarios/{id}?version={Guid.NewGuid()}", ct)).StatusCode);
    }

    private async Task ImportAsync(TestPackage package, Guid organisation, CancellationToken ct)
    {
        // As an upload reads it: the id need not match a folder's name.
        var files = await PackageUpload.ReadAsync(new MemoryStream(LibraryPageTests.TarGz(package.Root, "tiny")), new PackageUploadLimits(), ct);
        var loaded = ScenarioPackage.LoadFiles(files, "tiny.tar.gz");
        Assert.Empty(loaded.Errors);
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ScenarioImporter>().ImportAsync(loaded.Package!, organisation, "author@example.com", ct);
    }
}
