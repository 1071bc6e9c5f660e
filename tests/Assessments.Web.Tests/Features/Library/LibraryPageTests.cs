using System.Net;
using Assessments.Tests.Shared;
using Assessments.Web.Data;
using Assessments.Web.Tests.Features.Reviewing;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features.Library;

/// <summary><c>/scenarios</c> through the real app: each member sees the built-in library and their
/// own organisation's scenarios with every version's verification; admins and authors verify from
/// there (twice is one verification), reviewers and other organisations cannot; a verification's
/// stages stream to whoever may see its scenario.</summary>
public sealed class LibraryPageTests(WebApp app)
{
    [Fact]
    public async Task MembersSeeTheirLibraryWithEachVersionsVerificationAndOnlyAuthorsAndAdminsVerify()
    {
        var ct = TestContext.Current.CancellationToken;
        var manifest = await ReportTests.ManifestAsync("Make the greeting one statement.");
        var ours = await new ReviewData(app).CreateAsync(OrganisationRole.Reviewer, scenarioSlug: $"lib-{Guid.NewGuid():N}"[..16], manifest: manifest);
        var theirs = await new ReviewData(app).CreateAsync(OrganisationRole.Author, scenarioSlug: $"lib-{Guid.NewGuid():N}"[..16], manifest: manifest);
        var author = await ours.AddMemberAsync(OrganisationRole.Author, "Ann Author");
        var verification = await FinishedVerificationAsync(app, ours.Version.Id, ct);
        var builtIn = await BuiltInScenarioAsync(manifest, ct);

        using var reviewer = await ours.SignedInAsync(ct);
        var page = WebUtility.HtmlDecode(await app.GetPageAsync(reviewer, "/scenarios", ct));
        Assert.Contains(ours.Scenario.Title, page);
        Assert.DoesNotContain(theirs.Scenario.Title, page);
        // The built-in library is everyone's.
        Assert.Contains(builtIn, page);
        // The latest verification, summed up: what fell short and each grading's outcome.
        Assert.Contains("not verified", page);
        Assert.Contains("variant shallow was expected to fail GreetingCountSurvivesRestart, but everything passed", page);
        Assert.Contains("hidden tests failing 2 of 2", page);
        Assert.Contains("statements_per_request", page);
        Assert.Contains("10 → 1", page);
        Assert.DoesNotContain("Verify now", page);

        // A reviewer may not verify; another organisation's version does not exist for them.
        Assert.Equal(HttpStatusCode.Forbidden, (await VerifyAsync(reviewer, ours.Version.Id, ct)).StatusCode);
        using var stranger = await theirs.SignedInAsync(ct);
        var theirPage = WebUtility.HtmlDecode(await app.GetPageAsync(stranger, "/scenarios", ct));
        Assert.Contains(builtIn, theirPage);
        Assert.Contains(theirs.Scenario.Title, theirPage);
        Assert.DoesNotContain(ours.Scenario.Title, theirPage);
        Assert.Equal(HttpStatusCode.NotFound, (await VerifyAsync(stranger, ours.Version.Id, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/scenarios/verifications/{verification}/progress", ct)).StatusCode);

        // The author verifies; asking again finds the one waiting.
        using var authorClient = await ours.SignedInAsync(author.Email!, ct);
        Assert.Contains("Verify now", await app.GetPageAsync(authorClient, "/scenarios", ct));
        var queued = await VerifyAsync(authorClient, ours.Version.Id, ct);
        Assert.Contains("verification queued on the workers", WebUtility.HtmlDecode(await queued.Content.ReadAsStringAsync(ct)));
        var again = await VerifyAsync(authorClient, ours.Version.Id, ct);
        Assert.Contains("a verification is already waiting", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync(ct)));
        await using var db = app.Database.CreateContext();
        var open = await db.ScenarioVerifications.SingleAsync(v => v.ScenarioVersionId == ours.Version.Id && v.Status == ScenarioVerificationStatus.Queued, ct);
        Assert.Equal(author.Email, open.RequestedBy);
        Assert.NotNull(open.HangfireJobId);
        Assert.Equal(2, await db.ScenarioVerifications.CountAsync(v => v.ScenarioVersionId == ours.Version.Id, ct));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "scenario.verification-requested" && e.SubjectId == ours.Scenario.Slug, ct));

        // While it waits, the page follows it live, and offers no second "Verify now" for it.
        var waiting = WebUtility.HtmlDecode(await app.GetPageAsync(authorClient, "/scenarios", ct));
        Assert.Contains($"data-progress-url=\"/scenarios/verifications/{open.Id}/progress\"", waiting);
    }

    [Fact]
    public async Task AVerificationsStagesStreamNamedAfterTheirGradingAndTheStreamEndsWithIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var ours = await new ReviewData(app).CreateAsync(OrganisationRole.Reviewer, scenarioSlug: $"lib-{Guid.NewGuid():N}"[..16], manifest: await ReportTests.ManifestAsync("Brief."));
        var verification = await FinishedVerificationAsync(app, ours.Version.Id, ct);
        using var reviewer = await ours.SignedInAsync(ct);

        using var response = await reviewer.GetAsync($"/scenarios/verifications/{verification}/progress", ct);
        var body = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stages = body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => System.Text.Json.JsonDocument.Parse(l["data: ".Length..]).RootElement.GetProperty("stage").GetString());
        Assert.Equal(["template · build", "solution · benchmarks"], stages);
        Assert.EndsWith("event: finished\ndata: NotVerified\n\n", body);
    }

    [Fact]
    public async Task AnAuthorBringsInAPackageSeesABrokenCopysErrorsAndAHostileArchiveRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync(OrganisationRole.Author);
        using var author = await data.SignedInAsync(ct);
        using var package = new TestPackage();
        var id = $"up-{Guid.NewGuid():N}"[..16];
        package.EditManifest("id: tiny", $"id: {id}");

        // Broken: every error, with file, line and field; nothing imported.
        package.EditManifest("version: \"1.0\"", "version: [1]");
        var broken = await UploadAsync(author, TarGz(package.Root, "tiny"), "tiny.tar.gz", ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, broken.Status);
        Assert.Contains("tiny.tar.gz/scenario.yaml:2:", broken.Page);
        Assert.Contains("version", broken.Page);

        // Hostile: refused with the entry and the reason.
        var hostile = await UploadAsync(author, TarGz(package.Root, "tiny", symlink: ("tiny/template/secrets", "/etc/shadow")), "hostile.tar.gz", ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, hostile.Status);
        Assert.Contains("hostile.tar.gz: refused: tiny/template/secrets is a symbolic link (to /etc/shadow)", hostile.Page);

        // Good: a version of the organisation's own library, listed, to verify before use.
        package.EditManifest("version: [1]", "version: \"1.0\"");
        var good = await UploadAsync(author, TarGz(package.Root, "tiny"), "tiny.tar.gz", ct);
        Assert.Equal(HttpStatusCode.OK, good.Status);
        Assert.Contains($"into {data.Organisation.Name}'s library. Verify it before inviting candidates to it.", good.Page);
        Assert.Contains($"id=\"scenario-{id}\"", good.Page);
        var again = await UploadAsync(author, TarGz(package.Root, "tiny"), "tiny.tar.gz", ct);
        Assert.Contains("is in Acme Hiring's library already", again.Page);
        await using var db = app.Database.CreateContext();
        var scenario = await db.Scenarios.Include(s => s.Versions).SingleAsync(s => s.Slug == id, ct);
        Assert.Equal(data.Organisation.Id, scenario.OrganisationId);
        Assert.Single(scenario.Versions);
        Assert.Equal(data.MemberEmail, (await db.AuditEvents.SingleAsync(e => e.Action == "scenario.version-imported" && e.SubjectId == id, ct)).Actor);

        // An id of the built-in library's is not taken by an organisation's package.
        var builtIn = await BuiltInScenarioAsync(await ReportTests.ManifestAsync("Brief."), ct);
        var slug = builtIn["Built-in ".Length..];
        package.EditManifest($"id: {id}", $"id: {slug}");
        var taken = await UploadAsync(author, TarGz(package.Root, "tiny"), "taken.tar.gz", ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.Status);
        Assert.Contains($"taken.tar.gz/scenario.yaml: id: the built-in library has a scenario '{slug}' already", taken.Page);

        // Naming a repository: none is allowed until an operator lists some, and the page says so.
        var page = await author.GetStringAsync("/scenarios", ct);
        using var fromGit = await author.PostAsync("/scenarios?handler=git", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebApp.FormToken(page),
            ["url"] = "https://github.com/acme/tiny",
            ["gitRef"] = "v1.0",
        }), ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fromGit.StatusCode);
        Assert.Contains("https://github.com/acme/tiny v1.0: refused: No repository is allowed to import from", WebUtility.HtmlDecode(await fromGit.Content.ReadAsStringAsync(ct)));

        // Reviewers do not bring packages in.
        var reviewer = await data.AddMemberAsync(OrganisationRole.Reviewer, "Rita Reviewer");
        using var reviewerClient = await data.SignedInAsync(reviewer.Email!, ct);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(reviewerClient, TarGz(package.Root, "tiny"), "tiny.tar.gz", ct)).Status);
    }

    private static async Task<(HttpStatusCode Status, string Page)> UploadAsync(HttpClient client, byte[] archive, string fileName, CancellationToken ct)
    {
        var page = await client.GetStringAsync("/scenarios", ct);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebApp.FormToken(page)), "__RequestVerificationToken" },
            { new ByteArrayContent(archive), "package", fileName },
        };
        using var response = await client.PostAsync("/scenarios?handler=upload", form, ct);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(ct)));
    }

    /// <summary>The folder as a .tar.gz under <paramref name="top"/>/, as a folder is usually archived.</summary>
    internal static byte[] TarGz(string folder, string top, (string Path, string Target)? symlink = null)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"{top}/{Path.GetRelativePath(folder, file)}")
                {
                    DataStream = new MemoryStream(File.ReadAllBytes(file)),
                });
            }

            if (symlink is { } link)
            {
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.SymbolicLink, link.Path) { LinkName = link.Target });
            }
        }

        return output.ToArray();
    }

    /// <summary>A scenario of the built-in library (no organisation); returns its title.</summary>
    private async Task<string> BuiltInScenarioAsync(string manifest, CancellationToken ct)
    {
        var slug = $"builtin-{Guid.NewGuid():N}"[..20];
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        await using var db = app.Database.CreateContext();
        var scenario = new Scenario { Slug = slug, Title = $"Built-in {slug}" };
        db.ScenarioArchives.Add(new ScenarioArchive { ContentHash = hash, Archive = [1], SizeBytes = 1 });
        db.ScenarioVersions.Add(new ScenarioVersion { Scenario = scenario, ContentHash = hash, Label = "2.0", Manifest = manifest });
        await db.SaveChangesAsync(ct);
        return scenario.Title;
    }

    private static async Task<HttpResponseMessage> VerifyAsync(HttpClient client, Guid version, CancellationToken ct)
    {
        var page = await client.GetStringAsync("/scenarios", ct);
        return await client.PostAsync("/scenarios?handler=verify", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebApp.FormToken(page),
            ["version"] = version.ToString(),
        }), ct);
    }

    /// <summary>A verification that ran and fell short: the template failed both hidden tests, the
    /// solution passed with its count going 10 → 1, the variant passed when it should have failed.</summary>
    internal static async Task<Guid> FinishedVerificationAsync(WebApp app, Guid versionId, CancellationToken ct)
    {
        await using var db = app.Database.CreateContext();
        var verification = new ScenarioVerification
        {
            ScenarioVersionId = versionId,
            Status = ScenarioVerificationStatus.NotVerified,
            ImageId = Verified.ImageId,
            RequestedBy = "author@example.com",
            StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            FinishedAt = DateTimeOffset.UtcNow,
            Attempt = 1,
            Problems = ["variant shallow was expected to fail GreetingCountSurvivesRestart, but everything passed"],
        };
        db.ScenarioVerifications.Add(verification);
        GradingRun Grading(string subject, GradingVerdict verdict) => new()
        {
            Kind = GradingKind.Verification,
            ScenarioVersionId = versionId,
            VerificationId = verification.Id,
            Subject = subject,
            Status = GradingStatus.Completed,
            Verdict = verdict,
            Attempt = 1,
            FinishedAt = DateTimeOffset.UtcNow,
        };
        var template = Grading("template", GradingVerdict.TestsFailed);
        var solution = Grading("solution", GradingVerdict.Passed);
        db.GradingRuns.AddRange(template, solution, Grading("variant:shallow", GradingVerdict.Passed));
        template.Tests.AddRange(
        [
            new Assessments.Web.Data.TestResult { Name = "GreetingTakesOneStatement", Visibility = TestResultVisibility.Hidden, Status = TestResultStatus.Fail, Ordinal = 0 },
            new Assessments.Web.Data.TestResult { Name = "GreetingCountSurvivesRestart", Visibility = TestResultVisibility.Hidden, Status = TestResultStatus.Fail, Ordinal = 1 },
        ]);
        solution.Metrics.Add(new MetricSample { Key = "statements_per_request", Unit = "statements", IsPrimary = true, BaselineValue = 10, CandidateValue = 1 });
        await db.SaveChangesAsync(ct);
        db.GradingStageEvents.AddRange(
            new GradingStageEvent { GradingRunId = template.Id, Attempt = 1, Stage = "build", Side = StageSide.Candidate, Status = StageResult.Ok, DurationMs = 1000 },
            new GradingStageEvent { GradingRunId = solution.Id, Attempt = 1, Stage = "benchmarks", Side = StageSide.Candidate, Status = StageResult.Ok, DurationMs = 2000 });
        await db.SaveChangesAsync(ct);
        return verification.Id;
    }
}
