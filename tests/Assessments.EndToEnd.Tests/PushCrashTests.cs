using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Npgsql;

namespace Assessments.EndToEnd.Tests;

/// <summary>A real SIGKILL of the web process at the fault point between storing a push and
/// queueing its grading, then a restart: the push is neither lost nor graded twice.</summary>
public sealed class PushCrashTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task AWebProcessKilledAfterRecordingAPushQueuesItsGradingOnceWhenItComesBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("push-crash-");
        var webPort = AssessProcess.FreePort();
        var webUrl = $"http://127.0.0.1:{webPort}";
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = database.ConnectionString,
            ["Repositories__Root"] = Path.Combine(data.FullName, "repositories"),
            ["Web__PublicBaseUrl"] = webUrl,
        };

        // An organisation, the library's scenarios, an invited and started assessment.
        await SqlAsync("INSERT INTO organisations (id, slug, name, created_at) VALUES (gen_random_uuid(), 'acme', 'Acme', now())");
        var import = await AssessProcess.RunAsync(environment.With("Scenarios__LibraryPath", Path.Combine(RepositoryRoot.Path, "scenarios")), TimeSpan.FromMinutes(2), "scenario", "import");
        Assert.True(import.ExitCode == 0, import.Stderr);
        var invite = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), "assessment", "invite", "--allow-unverified", "--scenario", "n-plus-one", "--candidate", "ada@example.com", "--time-limit", "4h", "--json");
        Assert.True(invite.ExitCode == 0, invite.Stderr);
        var assessmentId = JsonDocument.Parse(invite.Stdout).RootElement.GetProperty("assessmentId").GetGuid();
        var start = await AssessProcess.RunAsync(environment, TimeSpan.FromMinutes(1), "assessment", "start", assessmentId.ToString(), "--json");
        Assert.True(start.ExitCode == 0, start.Stderr);
        var started = JsonDocument.Parse(start.Stdout).RootElement;
        var cloneUrl = new UriBuilder(started.GetProperty("cloneUrl").GetString()!) { UserName = "candidate", Password = started.GetProperty("token").GetString() }.Uri.ToString();

        using var http = new HttpClient { BaseAddress = new Uri(webUrl) };
        var commit = "";
        await using (var web = AssessProcess.Start(environment.With("ASSESSMENTS_FAULT_POINT", "after-push-recorded"), "serve", "--role", "web", "--urls", webUrl))
        {
            await web.WaitForStatusAsync(http, "/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1));
            var clone = Path.Combine(data.FullName, "clone");
            GitCommand.Succeed(data.FullName, "clone", "--quiet", cloneUrl, clone);
            File.WriteAllText(Path.Combine(clone, "NOTES.md"), "crash test\n");
            GitCommand.Succeed(clone, "add", "--all");
            GitCommand.Succeed(clone, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", "Crash test");
            commit = GitCommand.Succeed(clone, "rev-parse", "HEAD").Trim();
            // The answer reaches the client before the recording; the process dies right after it.
            GitCommand.Succeed(clone, "push", "--quiet", "origin", "main");

            Assert.Equal(137, await web.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("Fault point after-push-recorded reached", web.StandardOutput + web.StandardError);
        }

        // Stored, not yet a job: the submission and its queued grading, written together, no job.
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM submissions WHERE assessment_id = '{assessmentId}' AND commit_sha = '{commit}'"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM grading_runs WHERE hangfire_job_id IS NULL"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%GradingJob%'"));

        // Back up without the fault: its dispatcher finds the run without a job at start.
        await using (var web = AssessProcess.Start(environment, "serve", "--role", "web", "--urls", webUrl))
        {
            await web.WaitForStatusAsync(http, "/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1));
            var waited = Stopwatch.StartNew();
            while (await ScalarAsync("SELECT count(*) FROM grading_runs WHERE hangfire_job_id IS NOT NULL") == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200, ct);
            }
        }

        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM grading_runs r JOIN submissions s ON s.id = r.submission_id WHERE s.commit_sha = '{commit}' AND r.hangfire_job_id IS NOT NULL"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM grading_runs"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%GradingJob%'"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM grading_runs WHERE hangfire_job_id IS NULL"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM outbox_messages"));
        data.Delete(recursive: true);
    }

    private async Task SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}

internal static class EnvironmentExtensions
{
    public static Dictionary<string, string> With(this IReadOnlyDictionary<string, string> environment, string key, string value) =>
        new(environment) { [key] = value };
}
