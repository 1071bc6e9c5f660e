using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Features.Git;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features;

/// <summary>Every route of the web role, asked by every kind of caller, with the answer each must
/// get. The routes come from the app itself (its endpoint data source, and each Razor Page's post
/// handlers), so a page or endpoint added without a row here fails the first test.</summary>
public sealed partial class AuthorizationMatrixTests(WebApp app)
{
    /// <summary>Who asks. Candidate: no account, holds the link and git token of another
    /// organisation's assessment. Stranger: a reviewer of another organisation.</summary>
    public enum Caller
    {
        Anonymous,
        Candidate,
        Stranger,
        Reviewer,
        Author,
        Admin,
        Operator,
    }

    private const string Login = "302 /account/login";
    private const string Denied = "302 /account/denied";

    /// <summary>Method, route as the app declares it, page handler, and the answer for each caller
    /// in <see cref="Caller"/> order. Rows that change state come last (closing the assessment,
    /// signing out).</summary>
    private static readonly Row[] Matrix =
    [
        new("GET", "/healthz", null, "200", "200", "200", "200", "200", "200", "200"),
        new("GET", "/readyz", null, "200", "200", "200", "200", "200", "200", "200"),
        new("GET", "/", null, Login, Login, "200", "200", "200", "200", "200"),
        new("GET", "/error", null, "200", "200", "200", "200", "200", "200", "200"),
        new("GET", "/account/login", null, "200", "200", "200", "200", "200", "200", "200"),
        new("POST", "/account/login", null, "200", "200", "200", "200", "200", "200", "200"),
        new("GET", "/account/denied", null, "200", "200", "200", "200", "200", "200", "200"),
        new("GET", "/account/forgot", null, "200", "200", "200", "200", "200", "200", "200"),
        new("POST", "/account/forgot", null, "200", "200", "200", "200", "200", "200", "200"),
        new("GET", "/account/reset", null, "200", "200", "200", "200", "200", "200", "200"),
        new("POST", "/account/reset", null, "200", "200", "200", "200", "200", "200", "200"),
        // A team invitation's link is its own credential (here a secret that opens nothing: the page says so).
        new("GET", "/team/join/{secret}", null, "200", "200", "200", "200", "200", "200", "200"),
        new("POST", "/team/join/{secret}", null, "200", "200", "200", "200", "200", "200", "200"),
        // The team page is the admins'; other members are told no, other organisations' users find nothing.
        new("GET", "/organisations/{slug}/team", null, Login, Login, "404", Denied, Denied, "200", "404"),
        new("POST", "/organisations/{slug}/team", "invite", "401", "401", "404", "403", "403", "200", "404"),
        new("POST", "/organisations/{slug}/team", "role", "401", "401", "404", "403", "403", "200", "404"),
        // Removing someone who is not a member: the admin is told there is no such member.
        new("POST", "/organisations/{slug}/team", "remove", "401", "401", "404", "403", "403", "404", "404"),
        new("GET", "/account/logout", null, Login, Login, "302 /", "302 /", "302 /", "302 /", "302 /"),
        // The invitation link is the candidate's only credential: whoever holds it gets the page.
        new("GET", "/invitations/{secret}", null, "200", "200", "200", "200", "200", "200", "200"),
        // So does a push's progress (its candidate-side stages only; another link's grading is not there).
        new("GET", "/invitations/{secret}/gradings/{gradingId:guid}/progress", null, "200", "200", "200", "200", "200", "200", "200"),
        // Admins invite; other members are told no. (The stranger administers nothing either.)
        new("GET", "/assessments/invite", null, Login, Login, Denied, Denied, Denied, "200", Denied),
        new("POST", "/assessments/invite", "single", "401", "401", "403", "403", "403", "422", "403"),
        new("POST", "/assessments/invite", "preview", "401", "401", "403", "403", "403", "422", "403"),
        new("POST", "/assessments/invite", "send", "401", "401", "403", "403", "403", "422", "403"),
        new("GET", "/assessments", null, Login, Login, "200", "200", "200", "200", "200"),
        new("GET", "/assessments", "csv", Login, Login, "200", "200", "200", "200", "200"),
        new("GET", "/reviews", null, Login, Login, "200", "200", "200", "200", "200"),
        // Side by side: only the scenarios the caller has assessments of exist for them.
        new("GET", "/scenarios/{scenario}/candidates", null, Login, Login, "404", "200", "200", "200", "404"),
        new("GET", "/scenarios/{scenario}/candidates", "csv", Login, Login, "404", "200", "200", "200", "404"),
        new("POST", "/scenarios/{scenario}/candidates", "assign", "401", "401", "404", "403", "403", "200", "404"),
        // Another organisation's assessment does not exist for the caller; operators run the
        // platform but read no candidate's work.
        new("GET", "/assessments/{id:guid}", null, Login, Login, "404", "200", "200", "200", "404"),
        new("POST", "/assessments/{id:guid}", "regrade", "401", "401", "404", "403", "403", "302 /assessments/", "404"),
        // An invitation is its organisation's admins' to send again, extend or revoke (those two last, below).
        new("GET", "/assessments/{id:guid}/invitation", null, Login, Login, "404", Denied, Denied, "200", "404"),
        new("POST", "/assessments/{id:guid}/invitation", "extend", "401", "401", "404", "403", "403", "422", "404"),
        new("GET", "/assessments/{assessmentId:guid}/gradings/{gradingId:guid}/progress", null, Login, Login, "404", "200", "200", "200", "404"),
        // The library: every member's (the built-in scenarios and their own organisation's); a
        // version is verified by its organisation's admins and authors; another organisation's
        // version and its verification do not exist for the caller.
        new("GET", "/scenarios", null, Login, Login, "200", "200", "200", "200", "200"),
        new("POST", "/scenarios", "verify", "401", "401", "404", "403", "200", "200", "404"),
        // Admins and authors bring packages into their organisation's library (no file here: 422, what to choose).
        new("POST", "/scenarios", "upload", "401", "401", "403", "403", "422", "422", "403"),
        // Or name a repository (none is on the allow-list here: 422, saying so).
        new("POST", "/scenarios", "git", "401", "401", "403", "403", "422", "422", "403"),
        // One scenario: its members read it (the hidden tests' names only its admins and authors).
        new("GET", "/scenarios/{scenario}", null, Login, Login, "404", "200", "200", "200", "404"),
        new("GET", "/scenarios/verifications/{verificationId:guid}/progress", null, Login, Login, "404", "200", "200", "200", "404"),
        // Members clone read-only with their password (415: past authorization, to git, which wants
        // a pack); a candidate's token opens their own repository only; to anyone else it is not there.
        // Blind review (the default): the history names the candidate, so members who read blind
        // (the reviewer, the author) are refused until they submit; an admin not reviewing clones.
        new("GET", "/git/{organisation}/{assessment}.git/info/refs", null, "401", "404", "404", "403", "403", "200", "404"),
        new("POST", "/git/{organisation}/{assessment}.git/git-upload-pack", null, "401", "404", "404", "403", "403", "415", "404"),
        new("POST", "/git/{organisation}/{assessment}.git/git-receive-pack", null, "401", "404", "404", "403", "403", "403", "404"),
        new("POST", "/webhooks/github/{assessmentId:guid}", null, "401", "401", "401", "401", "401", "401", "401"),
        new("GET", "/ops", null, Login, Login, Denied, Denied, Denied, Denied, "200"),
        new("GET", "/ops/jobs/{**path}", null, Login, Login, Denied, Denied, Denied, Denied, "200"),
        // Prometheus's scrape: its bearer token only, whoever is signed in (MetricsScrapeTests).
        new("GET", "/metrics", null, "401", "401", "401", "401", "401", "401", "401"),
        new("POST", "/ops/worker-probes/", null, "401", "401", "403", "403", "403", "403", "202"),
        new("GET", "/ops/worker-probes/{id:guid}", null, "401", "401", "403", "403", "403", "403", "404"),
        new("POST", "/invitations/{secret}", "start", "200", "200", "200", "200", "200", "200", "200"),
        new("POST", "/invitations/{secret}", "token", "200", "200", "200", "200", "200", "200", "200"),
        new("POST", "/invitations/{secret}", "done", "200", "200", "200", "200", "200", "200", "200"),
        // Admins and reviewers score (an empty form saves a draft); authors read without scoring.
        // After the git rows: a draft makes its author read blind.
        new("POST", "/assessments/{id:guid}", "review", "401", "401", "404", "302 /assessments/", "403", "302 /assessments/", "404"),
        new("POST", "/assessments/{id:guid}", "assign", "401", "401", "404", "403", "403", "302 /assessments/", "404"),
        // A decision waits for a submitted review: the admin is told so (422), nothing changes.
        new("POST", "/assessments/{id:guid}", "decide", "401", "401", "404", "403", "403", "422", "404"),
        // Turns the organisation's blind review off (the form's other value): late, as it changes what others see.
        new("POST", "/organisations/{slug}/team", "blind", "401", "401", "404", "403", "403", "200", "404"),
        // The candidate finished above: the admin is told a closed invitation is not sent again (422);
        // revoking without a reason is 422 too, saying what is missing.
        new("POST", "/assessments/{id:guid}/invitation", "resend", "401", "401", "404", "403", "403", "422", "404"),
        new("POST", "/assessments/{id:guid}/invitation", "revoke", "401", "401", "404", "403", "403", "422", "404"),
        new("POST", "/account/logout", null, "401", "401", Login, Login, Login, Login, Login),
    ];

    [Fact]
    public void EveryRouteAndPageHandlerOfTheAppIsInTheMatrix()
    {
        var declared = Declared();
        var listed = Matrix.Select(r => (r.Method, r.Route, r.Handler)).ToHashSet();

        var unlisted = declared.Except(listed).Select(d => $"{d.Method} {d.Route}{(d.Handler is null ? "" : $"?handler={d.Handler}")}").ToList();
        var gone = listed.Except(declared).Select(d => $"{d.Method} {d.Route}{(d.Handler is null ? "" : $"?handler={d.Handler}")}").ToList();
        Assert.True(unlisted.Count == 0, "Routes without a row in the authorization matrix: " + string.Join(", ", unlisted));
        Assert.True(gone.Count == 0, "Rows for routes the app no longer has: " + string.Join(", ", gone));
    }

    [Fact]
    public async Task EveryCallerGetsTheAnswerTheMatrixGives()
    {
        var ct = TestContext.Current.CancellationToken;
        var world = await World.CreateAsync(app, ct);
        var mismatches = new List<string>();
        var table = new StringBuilder();
        foreach (var row in Matrix)
        {
            table.Append($"{row.Method} {row.Route} {row.Handler}:");
            foreach (var caller in Enum.GetValues<Caller>())
            {
                var actual = await world.AskAsync(caller, row, ct);
                table.Append($" {caller}={actual}");
                if (actual != row.Expected[(int)caller])
                {
                    mismatches.Add($"{row.Method} {row.Route}{(row.Handler is null ? "" : $"?handler={row.Handler}")} as {caller}: expected {row.Expected[(int)caller]}, got {actual}");
                }
            }

            table.AppendLine();
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches) + "\n\n" + table);
    }

    [Fact]
    public async Task NoCandidateIdentityReachesABlindedReviewerOnAnyRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        var world = await World.CreateAsync(app, ct);
        var (name, email, login) = world.Candidate;
        var leaks = new List<string>();
        var walked = new StringBuilder();

        // Every route the matrix lists that reads (pages, exports, the events stream, the clone's
        // first requests), as the reviewer who has not submitted: no name, email or login in any body.
        // Left out: signing out, and the candidate's own invitation page, which only the link the
        // candidate was mailed opens.
        var reads = Matrix.Where(r => (r.Method == "GET" || r.Route.EndsWith("git-upload-pack", StringComparison.Ordinal))
            && r.Route is not ("/account/logout" or "/invitations/{secret}"));
        foreach (var row in reads)
        {
            var (status, body) = await world.AskForBodyAsync(Caller.Reviewer, row, ct);
            walked.AppendLine($"{row.Method} {row.Route} {row.Handler}: {status}, {body.Length} characters");
            foreach (var identity in new[] { name, email, login })
            {
                if (body.Contains(identity, StringComparison.OrdinalIgnoreCase) || WebUtility.HtmlDecode(body).Contains(identity, StringComparison.OrdinalIgnoreCase))
                {
                    leaks.Add($"{row.Method} {row.Route} {row.Handler} ({status}) shows '{identity}'");
                }
            }
        }

        Assert.True(leaks.Count == 0, string.Join("\n", leaks) + "\n\nWalked:\n" + walked);
        Assert.Contains("GET /assessments/{id:guid} : 200", walked.ToString());
        var report = WebUtility.HtmlDecode(await world.Client(Caller.Reviewer).GetStringAsync($"/assessments/{world.Assessment.Id}", ct));
        Assert.Contains(Assessments.Web.Data.Blinding.Pseudonym(world.Assessment.Id), report);
        Assert.Contains("Signed-off-by: " + Assessments.Web.Data.Blinding.Pseudonym(world.Assessment.Id) + " <" + Assessments.Web.Data.Blinding.Hidden + ">", report);

        // The clone is refused with the reason, by the real git client.
        var clone = Path.Combine(Directory.CreateTempSubdirectory("matrix-clone-").FullName, "repo");
        var url = new UriBuilder(app.BaseAddress) { Path = $"/git/{world.OrganisationSlug}/{world.Assessment.Slug}.git" };
        var refused = await CloneAsync(url, world.ReviewerEmail, clone, ct);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("403", refused.Error);

        // The reviewer submits: now the same routes name the candidate, and the clone's history does.
        var page = await world.Client(Caller.Reviewer).GetStringAsync($"/assessments/{world.Assessment.Id}", ct);
        using var submit = await world.Client(Caller.Reviewer).PostAsync($"/assessments/{world.Assessment.Id}?handler=review", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebApp.FormToken(page),
            ["intent"] = "submit",
            ["review.Recommendation"] = "Hire",
        }), ct);
        Assert.Equal(HttpStatusCode.Redirect, submit.StatusCode);
        var after = WebUtility.HtmlDecode(await world.Client(Caller.Reviewer).GetStringAsync($"/assessments/{world.Assessment.Id}", ct));
        Assert.Contains(name, after);
        Assert.Contains(email, after);
        var list = await world.Client(Caller.Reviewer).GetStringAsync("/assessments?handler=csv", ct);
        Assert.Contains(name, list);
        var cloned = await CloneAsync(url, world.ReviewerEmail, clone, ct);
        Assert.True(cloned.ExitCode == 0, cloned.Error);
        var log = new System.Diagnostics.ProcessStartInfo("git", ["-C", clone, "log", "--format=%an <%ae>"]) { RedirectStandardOutput = true };
        using var git = System.Diagnostics.Process.Start(log)!;
        Assert.Equal($"{name} <{email}>", (await git.StandardOutput.ReadToEndAsync(ct)).Trim());
    }

    private static async Task<(int ExitCode, string Error)> CloneAsync(UriBuilder url, string email, string into, CancellationToken ct)
    {
        if (Directory.Exists(into))
        {
            Directory.Delete(into, recursive: true);
        }

        var withCredentials = new UriBuilder(url.Uri) { UserName = Uri.EscapeDataString(email), Password = ReviewData.Password };
        var start = new System.Diagnostics.ProcessStartInfo("git", ["clone", "--quiet", withCredentials.Uri.ToString(), into]) { RedirectStandardError = true };
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var git = System.Diagnostics.Process.Start(start)!;
        var error = await git.StandardError.ReadToEndAsync(ct);
        await git.WaitForExitAsync(ct);
        return (git.ExitCode, error);
    }


    /// <summary>(method, route, handler) for every endpoint, and every post handler of every page.</summary>
    private HashSet<(string Method, string Route, string? Handler)> Declared()
    {
        var declared = new HashSet<(string, string, string?)>();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var pages = typeof(Assessments.Web.Hosting.AssessmentsWebApplication).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(PageModel)))
            .ToDictionary(t => t.Name[..^"Model".Length]);
        foreach (var endpoint in endpoints)
        {
            var route = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>() is { } page)
            {
                // A page answers GET (OnGet or none), a GET per OnGet<Handler> and a POST per OnPost<Handler>.
                var model = pages.GetValueOrDefault(Path.GetFileNameWithoutExtension(page.RelativePath));
                var handlers = model?.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .Select(m => PageHandler().Match(m.Name))
                    .Where(m => m.Success)
                    .Select(m => (Method: m.Groups[1].Value.ToUpperInvariant(), Handler: m.Groups[2].Value.Length == 0 ? null : m.Groups[2].Value.ToLowerInvariant()))
                    .Distinct()
                    .ToList() ?? [];
                declared.Add(("GET", route, null));
                foreach (var (method, handler) in handlers)
                {
                    declared.Add((method, route, handler));
                }

                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                declared.Add((method, route, null));
            }
        }

        return declared;
    }

    [GeneratedRegex("^On(Get|Post)(.*?)(Async)?$")]
    private static partial Regex PageHandler();

    private sealed record Row(string Method, string Route, string? Handler, params string[] Expected);

    /// <summary>Two organisations and a caller of each kind, signed in where they have an account.</summary>
    private sealed partial class World
    {
        private readonly Dictionary<Caller, HttpClient> _clients = [];
        private readonly Dictionary<Caller, string> _tokens = [];
        private readonly Dictionary<Caller, AuthenticationHeaderValue?> _git = [];

        private WebApp _app = null!;
        private Assessment _assessment = null!;
        private Organisation _organisation = null!;
        private Guid _gradingId;
        private Guid _submissionId;
        private Guid _authorId;
        private Guid _verificationId;
        private string _secret = "";
        private string _scenario = "";

        public static async Task<World> CreateAsync(WebApp app, CancellationToken ct)
        {
            var world = new World { _app = app };
            var manifest = await Reviewing.ReportTests.ManifestAsync("Make it fast.");
            // A scenario of its own, so the other organisation has no candidates of it.
            var mine = await new ReviewData(app, blindReview: true).CreateAsync(OrganisationRole.Reviewer, scenarioSlug: $"matrix-{Guid.NewGuid():N}"[..20], manifest: manifest);
            var theirs = await new ReviewData(app, blindReview: true).CreateAsync(OrganisationRole.Reviewer, manifest: manifest);
            var unique = Guid.NewGuid().ToString("N")[..10];
            world.Candidate = ($"Quintessa Vandermolen {unique}", $"quintessa.{unique}@example.com", $"qv-{unique}");
            var (assessment, run) = await mine.AddGradedAsync(
                Reviewing.ReportTests.Report(),
                Reviewing.ReportTests.Files("Notes without a name."),
                message: $"Load the orders in one query\n\nSigned-off-by: {world.Candidate.Name} <{world.Candidate.Email}>",
                candidateName: world.Candidate.Name);
            var (other, _) = await theirs.AddGradedAsync(Reviewing.ReportTests.Report());
            world._assessment = assessment;
            world._organisation = mine.Organisation;
            world._scenario = mine.Scenario.Slug;
            world.ReviewerEmail = mine.MemberEmail;
            world._gradingId = run.Id;
            // The repository on disk, as the git host keeps it.
            var repositories = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RepositoryOptions>>().Value;
            var bare = repositories.PathOf(mine.Organisation.Slug, assessment.Slug);
            Directory.CreateDirectory(bare);
            world.RepositoryPath = bare;
            await GitAsync(ct, null, "init", "--quiet", "--bare", "--initial-branch=main", bare);
            // One commit by the candidate, as their pushes leave it.
            var work = Directory.CreateTempSubdirectory("matrix-work-").FullName;
            await GitAsync(ct, work, "init", "--quiet", "-b", "main");
            await File.WriteAllTextAsync(Path.Combine(work, "README.md"), "The orders page.\n", ct);
            await GitAsync(ct, work, "add", "README.md");
            await GitAsync(ct, work, "-c", $"user.name={world.Candidate.Name}", "-c", $"user.email={world.Candidate.Email}", "commit", "--quiet", "-m", "Start");
            await GitAsync(ct, work, "push", "--quiet", bare, "main");
            world._secret = $"inv_{Guid.NewGuid():N}";
            var candidateToken = $"tok_{Guid.NewGuid():N}";
            var users = new Dictionary<Caller, (string Email, OrganisationRole? Role, Guid? Organisation, bool Operator)>
            {
                [Caller.Stranger] = (theirs.MemberEmail, null, null, false),
                [Caller.Reviewer] = (mine.MemberEmail, null, null, false),
                [Caller.Author] = ($"author-{Guid.NewGuid():N}@example.com", OrganisationRole.Author, mine.Organisation.Id, false),
                [Caller.Admin] = ($"admin-{Guid.NewGuid():N}@example.com", OrganisationRole.Admin, mine.Organisation.Id, false),
                [Caller.Operator] = ($"operator-{Guid.NewGuid():N}@example.com", null, null, true),
            };
            await using (var db = app.Database.CreateContext())
            {
                foreach (var (_, (email, role, organisation, isOperator)) in users.Where(u => u.Value.Role is not null || u.Value.Operator))
                {
                    var user = await app.CreateUserAsync(email, ReviewData.Password, isOperator);
                    if (role == OrganisationRole.Author)
                    {
                        world._authorId = user.Id;
                    }

                    if (role is { } r)
                    {
                        db.Memberships.Add(new Membership { OrganisationId = organisation!.Value, UserId = user.Id, Role = r });
                    }
                }

                world._submissionId = await db.GradingRuns.Where(g => g.Id == run.Id).Select(g => g.SubmissionId!.Value).SingleAsync(ct);
                // A finished verification of the version, so its stream ends at once.
                var verification = new ScenarioVerification
                {
                    ScenarioVersionId = assessment.ScenarioVersionId,
                    Status = ScenarioVerificationStatus.NotVerified,
                    ImageId = Verified.ImageId,
                    RequestedBy = "author@example.com",
                    FinishedAt = DateTimeOffset.UtcNow,
                    Attempt = 1,
                };
                db.ScenarioVerifications.Add(verification);
                world._verificationId = verification.Id;
                var stored = await db.Assessments.FindAsync([assessment.Id], ct);
                stored!.InvitationTokenHash = AccessTokens.Hash(world._secret);
                var candidate = await db.Candidates.SingleAsync(c => c.Id == stored.CandidateId, ct);
                candidate.Email = world.Candidate.Email;
                candidate.GitHubLogin = world.Candidate.GitHubLogin;
                var candidates = await db.Assessments.FindAsync([other.Id], ct);
                candidates!.AccessTokenHash = AccessTokens.Hash(candidateToken);
                await db.SaveChangesAsync(ct);
            }

            foreach (var caller in Enum.GetValues<Caller>())
            {
                var client = app.CreateClient();
                world._clients[caller] = client;
                if (users.TryGetValue(caller, out var account))
                {
                    await WebApp.SignInAsync(client, account.Email, ReviewData.Password, ct);
                    world._git[caller] = Basic(account.Email, ReviewData.Password);
                }

                // A form token for this caller, from a page that has a form for them.
                var form = await client.GetStringAsync(users.ContainsKey(caller) ? "/" : "/account/login", ct);
                world._tokens[caller] = AntiforgeryToken().Match(form).Groups[1].Value;
            }

            world._git[Caller.Anonymous] = null;
            world._git[Caller.Candidate] = Basic("candidate", candidateToken);
            return world;
        }

        public async Task<string> AskAsync(Caller caller, Row row, CancellationToken ct) =>
            (await AskForBodyAsync(caller, row, ct)).Status;

        /// <summary>The answer as the matrix writes it, and the response's body.</summary>
        public async Task<(string Status, string Body)> AskForBodyAsync(Caller caller, Row row, CancellationToken ct)
        {
            var path = row.Route
                .Replace("{id:guid}", _assessment.Id.ToString())
                .Replace("{assessmentId:guid}", _assessment.Id.ToString())
                .Replace("{gradingId:guid}", _gradingId.ToString())
                .Replace("{organisation}", _organisation.Slug)
                .Replace("{assessment}", _assessment.Slug)
                .Replace("{secret}", _secret)
                .Replace("{slug}", _organisation.Slug)
                .Replace("{scenario}", _scenario)
                .Replace("{verificationId:guid}", _verificationId.ToString())
                .Replace("/{**path}", "")
                .Replace("{id:guid}", Guid.NewGuid().ToString());
            path = path.Replace("/ops/worker-probes/{id:guid}", $"/ops/worker-probes/{Guid.NewGuid()}");
            if (path.EndsWith("/info/refs", StringComparison.Ordinal))
            {
                path += "?service=git-upload-pack";
            }

            if (path == "/ops/worker-probes/")
            {
                path += "?queue=default";
            }

            var handler = row.Handler switch
            {
                null => "",
                "regrade" => $"?handler=regrade&submission={_submissionId}",
                "role" => $"?handler=role&userId={_authorId}",
                "remove" => $"?handler=remove&userId={Guid.NewGuid()}",
                "verify" => $"?handler=verify&version={_assessment.ScenarioVersionId}",
                _ => $"?handler={row.Handler}",
            };
            using var request = new HttpRequestMessage(new HttpMethod(row.Method), path + handler);
            if (path.StartsWith("/git/", StringComparison.Ordinal))
            {
                request.Headers.Authorization = _git.GetValueOrDefault(caller);
                if (row.Method == "POST")
                {
                    request.Content = new ByteArrayContent([]);
                }
            }
            else if (row.Method == "POST")
            {
                var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = _tokens[caller] };
                if (row.Handler == "role")
                {
                    fields["role"] = "Author";
                }

                if (row.Route == "/account/login")
                {
                    fields["Email"] = "nobody@example.com";
                    fields["Password"] = "not-the-password";
                }

                request.Content = new FormUrlEncodedContent(fields);
            }

            // The stream of a finished grading ends at once, so reading it to the end is safe.
            using var response = await _clients[caller].SendAsync(request, ct);
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found)
            {
                var location = response.Headers.Location is { IsAbsoluteUri: true } absolute ? absolute.PathAndQuery : response.Headers.Location?.OriginalString ?? "";
                var target = location.StartsWith("/account/login", StringComparison.Ordinal) ? "/account/login"
                    : location.StartsWith("/account/denied", StringComparison.Ordinal) ? "/account/denied"
                    : location.StartsWith("/assessments/", StringComparison.Ordinal) ? "/assessments/"
                    : location;
                return ($"{status} {target}", body);
            }

            return (status, body);
        }

        /// <summary>The candidate of the caller's organisation's assessment: a name, email and GitHub
        /// login found nowhere else, also the author and committer of a commit in its repository and
        /// signed off in its push's message.</summary>
        public (string Name, string Email, string GitHubLogin) Candidate { get; private set; }

        public Assessment Assessment => _assessment;

        public HttpClient Client(Caller caller) => _clients[caller];

        public string Token(Caller caller) => _tokens[caller];

        public string RepositoryPath { get; private set; } = "";

        public string ReviewerEmail { get; private set; } = "";

        public string OrganisationSlug => _organisation.Slug;

        public static async Task GitAsync(CancellationToken ct, string? folder, params string[] arguments)
        {
            var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = folder ?? Environment.CurrentDirectory, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var git = System.Diagnostics.Process.Start(start)!;
            var error = await git.StandardError.ReadToEndAsync(ct);
            await git.WaitForExitAsync(ct);
            Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
        }

        private static AuthenticationHeaderValue Basic(string user, string password) =>
            new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

        [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
        private static partial Regex AntiforgeryToken();
    }
}
