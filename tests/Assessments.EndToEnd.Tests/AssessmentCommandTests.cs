using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Scenarios;
using Npgsql;

namespace Assessments.EndToEnd.Tests;

/// <summary>The operator's verbs for repository hosts and tokens, as a script runs them.</summary>
public sealed class AssessmentCommandTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task AnOrganisationMovesToGitHubAndItsInvitationsSayWhatTheyStillNeed()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("assessment-commands-");
        await ScenarioScaffold.WriteAsync("greeting", Path.Combine(data.FullName, "library", "greeting"), ct);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = database.ConnectionString,
            ["Repositories__Root"] = Path.Combine(data.FullName, "repositories"),
            ["Web__PublicBaseUrl"] = "https://assess.example.test",
            ["Scenarios__LibraryPath"] = Path.Combine(data.FullName, "library"),
        };
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await new NpgsqlCommand("INSERT INTO organisations (id, slug, name, created_at, default_repository_host) VALUES (gen_random_uuid(), 'acme', 'Acme', now(), 'BuiltIn')", connection).ExecuteNonQueryAsync(ct);
        }

        Assert.Equal(0, (await RunAsync(environment, "scenario", "import")).ExitCode);

        var noOrganisation = await RunAsync(environment, "organisation", "set", "acme", "--default-host", "github");
        Assert.Equal(3, noOrganisation.ExitCode);
        Assert.Contains("--default-host github needs the organisation's GitHub organisation: add --github-org LOGIN.", noOrganisation.Stderr);
        var set = await RunAsync(environment, "organisation", "set", "acme", "--default-host", "github", "--github-org", "acme-hiring");
        Assert.Equal((0, "acme: default host GitHub, GitHub organisation acme-hiring"), (set.ExitCode, set.Stdout.Trim()));

        var unconfigured = await RunAsync(environment, "assessment", "invite", "--allow-unverified", "--scenario", "greeting", "--candidate", "ada@example.com", "--github", "ada-l", "--time-limit", "2h");
        Assert.Equal(3, unconfigured.ExitCode);
        Assert.Contains("GitHub is not configured on this server: set GitHub__Token, or invite with --host builtin.", unconfigured.Stderr);

        var github = new Dictionary<string, string>(environment) { ["GitHub__Token"] = "ghp_never_used_here" };
        var noLogin = await RunAsync(github, "assessment", "invite", "--allow-unverified", "--scenario", "greeting", "--candidate", "ada@example.com", "--time-limit", "2h");
        Assert.Equal(3, noLogin.ExitCode);
        Assert.Contains("add --github LOGIN", noLogin.Stderr);

        var invite = await RunAsync(github, "assessment", "invite", "--allow-unverified", "--scenario", "greeting", "--candidate", "ada@example.com", "--github", "ada-l", "--time-limit", "2h", "--json");
        Assert.True(invite.ExitCode == 0, invite.Stderr);
        var invitation = JsonDocument.Parse(invite.Stdout).RootElement;
        var id = invitation.GetProperty("assessmentId").GetString()!;
        Assert.StartsWith("mailed to ada@example.com through the log", invitation.GetProperty("mail").GetString());
        // No SMTP server: the mail, link and all, is in the log for the operator to pass on.
        Assert.Contains(invitation.GetProperty("link").GetString()!, invite.Stderr);
        // Nobody verified the imported version: the override says so, and the audit keeps it.
        Assert.Contains("warning: greeting is not verified on the workers' sandbox image; invited anyway (--allow-unverified), and audited.", invite.Stderr);
        Assert.True(invitation.GetProperty("unverified").GetBoolean());

        var start = await RunAsync(github, "assessment", "start", id);
        Assert.True(start.ExitCode == 0, start.Stderr);
        Assert.Contains("being created on GitHub; @ada-l is invited with push access", start.Stdout);
        var show = await RunAsync(github, "assessment", "show", id);
        Assert.Contains("acme-hiring/ada-", show.Stdout);
        Assert.Contains("on GitHub, not provisioned yet", show.Stdout);
        var token = await RunAsync(github, "assessment", "token", id);
        Assert.Equal(3, token.ExitCode);
        Assert.Contains("only a started one on the built-in host has a token", token.Stderr);

        // The invitation overrides the organisation's host; its token can be replaced.
        var builtIn = await RunAsync(github, "assessment", "invite", "--allow-unverified", "--scenario", "greeting", "--candidate", "bo@example.com", "--host", "builtin", "--time-limit", "2h", "--json");
        var builtInId = JsonDocument.Parse(builtIn.Stdout).RootElement.GetProperty("assessmentId").GetString()!;
        var started = JsonDocument.Parse((await RunAsync(github, "assessment", "start", builtInId, "--json")).Stdout).RootElement;
        Assert.Equal("BuiltIn", started.GetProperty("host").GetString());
        var replaced = JsonDocument.Parse((await RunAsync(github, "assessment", "token", builtInId, "--json")).Stdout).RootElement;
        Assert.StartsWith("asmt_", replaced.GetProperty("token").GetString());
        Assert.NotEqual(started.GetProperty("token").GetString(), replaced.GetProperty("token").GetString());

        // Sent again with a new link; revoked with a reason; a revoked invitation is not sent again.
        var resent = JsonDocument.Parse((await RunAsync(github, "assessment", "resend", builtInId, "--json")).Stdout).RootElement;
        Assert.Contains("/invitations/inv_", resent.GetProperty("link").GetString());
        var revoked = await RunAsync(github, "assessment", "revoke", builtInId, "--reason", "the position was filled");
        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains("revoked at", revoked.Stdout);
        Assert.Contains("its repository is kept", revoked.Stdout);
        var again = await RunAsync(github, "assessment", "resend", builtInId);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("only an open one can be sent again", again.Stderr);
        data.Delete(recursive: true);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), args);
}
