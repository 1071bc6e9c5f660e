using System.Diagnostics;
using System.Text;
using Assessments.Runner.Sandbox;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.Runner.Tests.Sandbox;

public sealed class SandboxImageInputsTests
{
    private static readonly byte[] Dockerfile = Encoding.UTF8.GetBytes("ARG BASE=scratch\nFROM ${BASE}\n");

    private static readonly string[] Sdk = ["sdk/10.0.401", "shared/Microsoft.AspNetCore.App/10.0.12", "shared/Microsoft.NETCore.App/10.0.12"];

    private static SandboxImageInputs Inputs(byte[]? dockerfile = null, string mirror = "http://deb.debian.org/debian", IEnumerable<string>? sdk = null) =>
        new(dockerfile ?? Dockerfile, DebianBase.Bookworm(mirror), sdk ?? Sdk, "x64");

    [Fact]
    public void SameInputsGiveTheSameHashes()
    {
        var first = Inputs();
        var second = Inputs(dockerfile: [.. Dockerfile], sdk: Sdk.Reverse());

        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.BaseHash, second.BaseHash);
        Assert.Matches("^[0-9a-f]{64}$", first.Hash);
        Assert.NotEqual(first.Hash, first.BaseHash);
    }

    [Fact]
    public void ChangedDockerfileGivesANewImageHashOnTheSameBase()
    {
        var changed = Inputs(dockerfile: Encoding.UTF8.GetBytes("ARG BASE=scratch\nFROM ${BASE}\nLABEL x=1\n"));

        Assert.NotEqual(Inputs().Hash, changed.Hash);
        Assert.Equal(Inputs().BaseHash, changed.BaseHash);
    }

    [Fact]
    public void ChangedHostSdkOrMirrorGivesANewBaseAndImage()
    {
        var newSdk = Inputs(sdk: ["sdk/10.0.402", .. Sdk.Skip(1)]);
        var newMirror = Inputs(mirror: "http://mirror.example/debian");

        Assert.NotEqual(Inputs().BaseHash, newSdk.BaseHash);
        Assert.NotEqual(Inputs().Hash, newSdk.Hash);
        Assert.NotEqual(Inputs().BaseHash, newMirror.BaseHash);
        Assert.NotEqual(Inputs().Hash, newMirror.Hash);
    }

    [Fact]
    public void ThisMachinesInputsHashTheSameEachTime()
    {
        var options = new SandboxImageOptions();
        var first = SandboxImageInputs.ForThisMachine(options);
        var second = SandboxImageInputs.ForThisMachine(options);

        Assert.Equal(first.Hash, second.Hash);
        Assert.Contains(first.HostSdk, entry => entry.StartsWith("sdk/", StringComparison.Ordinal));
        Assert.Contains("ARG BASE=", Encoding.UTF8.GetString(first.Dockerfile), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSdkFolderSaysWhatIsMissing()
    {
        var error = Assert.Throws<SandboxImageException>(() => SandboxImageInputs.ReadHostSdk("/nonexistent/dotnet"));
        Assert.Contains("no .NET SDK in /nonexistent/dotnet", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Builds the image once for the class (a no-op when scripts/test built it already).</summary>
public sealed class SandboxImageFixture : IAsyncLifetime
{
    public DockerClient Docker { get; } = new DockerClientBuilder()
        .WithEndpoint(new Uri(Environment.GetEnvironmentVariable("Sandbox__DockerEndpoint") ?? "unix:///var/run/docker.sock"))
        .Build();

    public SandboxImage Image { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = new SandboxImageBuilder(Docker, new SandboxImageOptions(), line => TestContext.Current.SendDiagnosticMessage(line));
        Image = await builder.EnsureAsync(rebuild: false, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Docker.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The built image on the real engine, checked from throwaway containers with no network.</summary>
public sealed class SandboxImageTests(SandboxImageFixture fixture) : IClassFixture<SandboxImageFixture>
{
    [Fact]
    public async Task DotnetInsideIsTheHostsSdk()
    {
        var (exit, stdout, stderr) = await RunAsync("dotnet", "--version");

        Assert.True(exit == 0, stderr);
        Assert.Equal(await HostDotnetVersionAsync(), stdout.Trim());
    }

    [Theory]
    [InlineData("grader", "10001")]
    [InlineData("candidate", "10002")]
    [InlineData("baseline", "10003")]
    public async Task EachSideHasItsUser(string user, string uid)
    {
        var (exit, stdout, stderr) = await RunAsync("id", "-u", user);

        Assert.True(exit == 0, stderr);
        Assert.Equal(uid, stdout.Trim());
    }

    [Fact]
    public async Task PostgresqlIsAtTheStablePath()
    {
        var (exit, stdout, stderr) = await RunAsync("/opt/assessments/postgresql/bin/initdb", "--version");

        Assert.True(exit == 0, stderr);
        Assert.Matches(@"^initdb \(PostgreSQL\) 15\.", stdout.Trim());
    }

    [Fact]
    public async Task NugetConfigurationUsesTheMountedFeedOnly()
    {
        var (exit, stdout, stderr) = await RunAsync("cat", "/etc/assessments/nuget.config");

        Assert.True(exit == 0, stderr);
        Assert.Contains("<clear/>", stdout, StringComparison.Ordinal);
        Assert.Contains("value=\"/nuget\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondEnsureReusesTheImageWithoutBuilding()
    {
        var messages = new List<string>();
        var builder = new SandboxImageBuilder(fixture.Docker, new SandboxImageOptions(), messages.Add);

        var again = await builder.EnsureAsync(rebuild: false, TestContext.Current.CancellationToken);

        Assert.Equal(fixture.Image, again);
        Assert.Empty(messages);
    }

    private async Task<(long Exit, string Stdout, string Stderr)> RunAsync(params string[] command)
    {
        var ct = TestContext.Current.CancellationToken;
        var docker = fixture.Docker;
        var container = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = fixture.Image.Id,
            Cmd = command,
            User = "10001:10001",
            Env = ["HOME=/tmp"],
            Labels = new Dictionary<string, string> { ["assessments.sandbox"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, ct);
        try
        {
            await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), ct);
            var exit = await docker.Containers.WaitContainerAsync(container.ID, ct);
            using var logs = await docker.Containers.GetContainerLogsAsync(container.ID, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, ct);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(ct);
            return (exit.StatusCode, stdout, stderr);
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }

    /// <summary>Outside the checkout, so its global.json does not pick the SDK.</summary>
    private static async Task<string> HostDotnetVersionAsync()
    {
        var info = new ProcessStartInfo(Path.Combine(new SandboxImageOptions().DotnetRoot, "dotnet"), ["--version"])
        {
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(info)!;
        var version = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return version.Trim();
    }
}
