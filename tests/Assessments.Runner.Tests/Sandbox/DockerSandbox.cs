using Assessments.Runner.Hosting;
using Assessments.Runner.Sandbox;
using Docker.DotNet;
using Docker.DotNet.Models;

[assembly: AssemblyFixture(typeof(Assessments.Runner.Tests.Sandbox.DockerSandbox))]

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>The real Docker engine and the sandbox image, shared by every test of the assembly
/// (the test command builds the image before the suite; here it is only looked up, or built
/// when a developer runs the tests alone).</summary>
public sealed class DockerSandbox : IAsyncLifetime
{
    public IDockerClient Docker { get; } = new DockerClientBuilder()
        .WithEndpoint(new Uri("unix:///var/run/docker.sock"))
        .WithTimeout(TimeSpan.FromMinutes(10))
        .Build();

    public SandboxImage Image { get; private set; } = null!;

    public static string CacheRoot { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath(), "sandbox-cache");

    public async ValueTask InitializeAsync()
    {
        Image = await new SandboxImageBuilder(Docker, new SandboxImageOptions(), _ => { }).EnsureAsync(rebuild: false, TestContext.Current.CancellationToken);
    }

    /// <summary>Settings for a host with no feed and the default limits.</summary>
    public DockerHostSettings Settings(OfflineFeed? feed = null, SandboxLimits? limits = null, IsolationMinimum? minimum = null, long? serviceMemory = null) =>
        new(Image, limits ?? new SandboxLimits(), minimum ?? new IsolationMinimum(), feed, serviceMemory ?? (1L << 30));

    /// <summary>Every sandbox container of a grading, running or not.</summary>
    public async Task<IList<ContainerListResponse>> ContainersOfAsync(string gradingId) =>
        await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{SandboxLabels.Grading}={gradingId}"] = true },
            },
        });

    public ValueTask DisposeAsync()
    {
        Docker.Dispose();
        return ValueTask.CompletedTask;
    }
}
