using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Scenarios;
using Assessments.Web.Common;
using Assessments.Web.Data;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.EndToEnd.Tests;

/// <summary>docs/operations.md's backup and restore, done as an operator would: a candidate pushes
/// to the built-in git host, <c>assess backup</c> takes the database and the repositories, and
/// <c>assess restore</c> puts them into a new PostgreSQL cluster and an empty folder; the restored
/// platform shows the same assessment and push, and the candidate clones the same commit with the
/// same token. A restore into a database that holds anything is refused and changes nothing.</summary>
public sealed class BackupRestoreTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task ABackupRestoredIntoANewClusterShowsTheSameAssessmentsAndClonesTheSameRepositories()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("backup-restore-");
        var original = Settings(database.ConnectionString, Path.Combine(data.FullName, "repositories"), out _);
        try
        {
            string assessmentId, commit, cloneUrl;
            await using (var web = await InProcessWeb.StartAsync(original, ct))
            {
                var folder = Path.Combine(data.FullName, "library", "greeting");
                await ScenarioScaffold.WriteAsync("greeting", folder, ct);
                await using (var db = database.CreateContext())
                {
                    await new ScenarioImporter(db).ImportAsync(ScenarioPackage.Load(folder).GetPackageOrThrow(folder), ct);
                    db.Organisations.Add(new Organisation { Slug = "acme", Name = "Acme" });
                    await db.SaveChangesAsync(ct);
                }

                var invite = await AssessProcess.RunAsync(original, TimeSpan.FromMinutes(1), "assessment", "invite", "--scenario", "greeting", "--candidate", "ada@example.com", "--name", "Ada Lovelace", "--time-limit", "4h", "--allow-unverified", "--json");
                Assert.True(invite.ExitCode == 0, invite.Stderr);
                assessmentId = JsonDocument.Parse(invite.Stdout).RootElement.GetProperty("assessmentId").GetString()!;
                var start = await AssessProcess.RunAsync(original, TimeSpan.FromMinutes(1), "assessment", "start", assessmentId, "--json");
                Assert.True(start.ExitCode == 0, start.Stderr);
                var started = JsonDocument.Parse(start.Stdout).RootElement;
                cloneUrl = new UriBuilder(started.GetProperty("cloneUrl").GetString()!) { UserName = started.GetProperty("username").GetString(), Password = started.GetProperty("token").GetString() }.Uri.ToString();

                var clone = Path.Combine(data.FullName, "clone");
                GitCommand.Succeed(data.FullName, "clone", "--quiet", cloneUrl, clone);
                File.WriteAllText(Path.Combine(clone, "NOTES.md"), "Backed up and restored.\n");
                GitCommand.Succeed(clone, "add", "--all");
                GitCommand.Succeed(clone, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", "Notes");
                GitCommand.Succeed(clone, "push", "--quiet", "origin", "main");
                commit = GitCommand.Succeed(clone, "rev-parse", "HEAD").Trim();
                await web.StopAsync(ct);
            }

            var backup = Path.Combine(data.FullName, "backup");
            var taken = await AssessProcess.RunAsync(original, TimeSpan.FromMinutes(2), "backup", "--to", backup);
            Assert.True(taken.ExitCode == 0, taken.Stderr);
            Assert.Contains("Backed up at migration", taken.Stdout);

            // Into the database it came from: refused before anything is written.
            var refused = await AssessProcess.RunAsync(Settings(database.ConnectionString, Path.Combine(data.FullName, "elsewhere"), out _), TimeSpan.FromMinutes(1), "restore", "--from", backup);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("restore into an empty database", refused.Stderr);
            Assert.False(Directory.Exists(Path.Combine(data.FullName, "elsewhere")));

            // A new cluster, an empty database in it, an empty repositories folder.
            await using var cluster = await PrivateCluster.StartAsync("restored", ct);
            var restoredDatabase = await cluster.CreateDatabaseAsync("restored", ct);
            var restored = Settings(restoredDatabase, Path.Combine(data.FullName, "restored-repositories"), out _);
            var restore = await AssessProcess.RunAsync(restored, TimeSpan.FromMinutes(2), "restore", "--from", backup);
            Assert.True(restore.ExitCode == 0, restore.Stderr);

            var show = await AssessProcess.RunAsync(restored, TimeSpan.FromMinutes(1), "assessment", "show", assessmentId);
            Assert.True(show.ExitCode == 0, show.Stderr);
            Assert.Contains("ada@example.com", show.Stdout);
            Assert.Contains(commit[..12], show.Stdout);

            // The restored platform serves the same repository to the same token.
            await using (var web = await InProcessWeb.StartAsync(restored, ct))
            {
                var again = Path.Combine(data.FullName, "clone-after-restore");
                var restoredUrl = new UriBuilder(cloneUrl) { Port = new Uri(restored["Web__PublicBaseUrl"]).Port }.Uri.ToString();
                GitCommand.Succeed(data.FullName, "clone", "--quiet", restoredUrl, again);
                Assert.Equal(commit, GitCommand.Succeed(again, "rev-parse", "HEAD").Trim());
                Assert.Equal("Backed up and restored.\n", File.ReadAllText(Path.Combine(again, "NOTES.md")));
                await web.StopAsync(ct);
            }

            await using var check = MigratedDatabase.Context(restoredDatabase);
            Assert.Equal(1, await check.Submissions.CountAsync(s => s.CommitSha == commit, ct));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> Settings(string connectionString, string repositories, out string webUrl)
    {
        webUrl = $"http://127.0.0.1:{AssessProcess.FreePort()}";
        return new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = connectionString,
            ["Repositories__Root"] = repositories,
            ["Web__PublicBaseUrl"] = webUrl,
        };
    }
}
