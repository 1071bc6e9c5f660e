using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>The sandbox's layout, checked from inside the containers against the real engine:
/// three uids, the candidate on the grader's loopback and nothing else, none of the grader's files
/// or processes visible to it, and the grading PostgreSQL closed to its superuser from there.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DockerHostLayoutTests(DockerSandbox sandbox)
{
    private const string HiddenMarker = "HIDDEN-TEST-MARKER-5b0c";

    [Fact]
    public async Task SidesAreSeparateUsersOnOneLoopbackWithNothingOfTheGraderVisibleToTheCandidate()
    {
        var ct = TestContext.Current.CancellationToken;
        string gradingId;
        await using (var host = await DockerHost.CreateAsync(sandbox.Docker, sandbox.Settings(), DateTimeOffset.UtcNow.AddMinutes(30), ct))
        {
            gradingId = host.GradingId;
            var database = await GradingDatabase.StartAsync(host, host.PostgresBin, ["svc_candidate"], ct);
            var service = database.Service("svc_candidate");
            await host.PutFilesAsync(Side.Grader, "package", [File("hidden/Hidden/Secret.cs", $"// {HiddenMarker}")], ct);
            await host.PutFilesAsync(Side.Candidate, "repo", [File("README.md", "candidate")], ct);

            Assert.Equal("10001", (await Run(host, Side.Grader, "id -u")).Trim());
            Assert.Equal("10002", (await Run(host, Side.Candidate, "id -u")).Trim());
            Assert.Equal("10003", (await Run(host, Side.Baseline, "id -u")).Trim());

            // The loopback alone, and it is the grader's: the candidate reaches its PostgreSQL there.
            var interfaces = await Run(host, Side.Candidate, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
            Assert.Equal(["lo"], interfaces.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            var psql = $"{host.PostgresBin}/psql";
            var asService = await Run(host, Side.Candidate, $"PGPASSWORD='{Password(service.ServiceConnectionString)}' {psql} -h 127.0.0.1 -p {database.Port} -U svc_candidate -d svc_candidate -Atc 'select current_user'");
            Assert.Equal("svc_candidate", asService.Trim());

            // ... but not as its superuser: scram for every TCP login, and the password stays with the grader.
            var asSuperuser = await host.RunAsync(Side.Candidate, Shell($"{psql} -w -h 127.0.0.1 -p {database.Port} -U postgres -d postgres -c 'select 1'"), ct);
            Assert.NotEqual(0, asSuperuser.ExitCode);
            Assert.Contains("password", asSuperuser.Output);
            var guessed = await host.RunAsync(Side.Candidate, Shell($"PGPASSWORD=postgres {psql} -h 127.0.0.1 -p {database.Port} -U postgres -d postgres -c 'select 1'"), ct);
            Assert.Contains("password authentication failed", guessed.Output);

            // No file of the grader anywhere in the candidate's filesystem, and none of its processes.
            var hunt = await host.RunAsync(Side.Candidate, Shell($"grep -rl --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev '{HiddenMarker}' /"), ct);
            Assert.DoesNotContain("Secret.cs", hunt.Output);
            Assert.Contains("Secret.cs", await Run(host, Side.Grader, $"grep -rl '{HiddenMarker}' /work/package"));
            var graderProcesses = await Run(host, Side.Candidate, "cat /proc/*/cmdline 2>/dev/null | tr '\\0' ' '");
            Assert.DoesNotContain("postgres", graderProcesses);

            // What the report records was read inside each container.
            Assert.Equal("lo", host.Isolation["candidate.network"]);
            Assert.Equal("10002", host.Isolation["candidate.uid"]);
            Assert.Equal("0000000000000000", host.Isolation["candidate.capabilities"]);
            Assert.Equal("filter", host.Isolation["candidate.seccomp"]);
            Assert.Equal("yes", host.Isolation["candidate.read_only_root"]);
            Assert.Equal("yes", host.Isolation["candidate.no_new_privileges"]);
            Assert.Equal("1024", host.Isolation["candidate.memory_mb"]);
            Assert.Equal("1024", host.Isolation["candidate.memory_swap_mb"]);
            Assert.Equal("lo", host.Isolation["grader.network"]);
            Assert.Equal("10001", host.Isolation["grader.uid"]);
            Assert.StartsWith("sha256:", host.ImageDigest);

            await database.StopAsync(ct);
        }

        Assert.Empty(await sandbox.ContainersOfAsync(gradingId));
    }

    [Fact]
    public async Task AHostDisposedWhileItsCandidateContainerIsStillBeingCreatedLeavesNothing()
    {
        // The candidate's container is created in the background once the grader's runs; a
        // grading that ends at once (a refused tree, a cancelled job) must not leave it behind.
        var host = await DockerHost.CreateAsync(sandbox.Docker, sandbox.Settings(), DateTimeOffset.UtcNow.AddMinutes(30), TestContext.Current.CancellationToken);
        await host.DisposeAsync();

        Assert.Empty(await sandbox.ContainersOfAsync(host.GradingId));
        Assert.Equal(2, host.ContainerIds.Count);
    }

    private static PackageFile File(string path, string text) => new(path, false, Encoding.UTF8.GetBytes(text));

    private static CommandSpec Shell(string script) =>
        new("sh", ["-c", script], null, new Dictionary<string, string>(), TimeSpan.FromMinutes(2));

    private static async Task<string> Run(IGradingHost host, Side side, string script)
    {
        var result = await host.RunAsync(side, Shell(script), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, $"{side}: {script}: exit {result.ExitCode}: {result.Output}");
        return result.Output;
    }

    private static string Password(string connectionString) =>
        connectionString.Split(';').Single(p => p.StartsWith("Password=", StringComparison.Ordinal))["Password=".Length..];
}
