using Assessments.Runner.RepositoryTests;
using Assessments.Runner.Sandbox;
using Assessments.Scenarios;
using Docker.DotNet;

namespace Assessments.Runner.Hosting;

/// <summary>Makes a fresh host for each grading.</summary>
public interface IGradingHostFactory
{
    /// <summary>A host ready to grade a tree of <paramref name="package"/>.</summary>
    /// <param name="candidateSubmission">True for a candidate's code; only a sandbox accepts it.</param>
    Task<IGradingHost> CreateAsync(ScenarioPackage package, bool candidateSubmission, CancellationToken cancellationToken);

    /// <summary>A host ready to run a repository's own test projects, with their packages restored
    /// beforehand on this machine (trusted code only: the repository's MSBuild files run here).</summary>
    Task<IGradingHost> CreateForRepositoryAsync(IReadOnlyList<PackageFile> tree, IReadOnlyList<TestProject> projects, RepositoryTestLimits limits, CancellationToken cancellationToken);
}

/// <summary>Local hosts in scratch folders under <paramref name="scratch"/>: trusted code only.</summary>
public sealed class LocalHostFactory(string scratch) : IGradingHostFactory
{
    /// <inheritdoc />
    public Task<IGradingHost> CreateAsync(ScenarioPackage package, bool candidateSubmission, CancellationToken cancellationToken) =>
        Task.FromResult<IGradingHost>(LocalHost.Create(scratch, candidateSubmission));

    /// <inheritdoc />
    public Task<IGradingHost> CreateForRepositoryAsync(IReadOnlyList<PackageFile> tree, IReadOnlyList<TestProject> projects, RepositoryTestLimits limits, CancellationToken cancellationToken) =>
        Task.FromResult<IGradingHost>(LocalHost.Create(scratch, candidateSubmission: false));
}

/// <summary>Docker hosts on one engine and image, each with its scenario version's offline feed and
/// limits; their containers carry <paramref name="owner"/>'s labels where there is one.</summary>
public sealed class DockerHostFactory(IDockerClient docker, SandboxImage image, OfflineFeeds feeds, SandboxLimits limits, IsolationMinimum minimum, SandboxOwner? owner = null) : IGradingHostFactory
{
    /// <inheritdoc />
    public async Task<IGradingHost> CreateAsync(ScenarioPackage package, bool candidateSubmission, CancellationToken cancellationToken)
    {
        var manifest = package.Manifest;
        var feed = await feeds.EnsureAsync(package, cancellationToken);
        // The candidate's phases and public tests, then the baseline's phases and the benchmarks.
        var rounds = (2 * manifest.Phases.Count) + 3;
        // Past this, every limit of the plan has certainly passed: whatever is left is abandoned.
        var expires = DateTimeOffset.UtcNow + (4 * manifest.Limits.Build) + (rounds * (manifest.Limits.Tests + manifest.Service.StartupTimeout)) + TimeSpan.FromMinutes(15);
        var settings = new DockerHostSettings(image, limits, minimum, feed, manifest.Limits.MemoryBytes, manifest.Limits.Processes, owner);
        return await DockerHost.CreateAsync(docker, settings, expires, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IGradingHost> CreateForRepositoryAsync(IReadOnlyList<PackageFile> tree, IReadOnlyList<TestProject> projects, RepositoryTestLimits repositoryLimits, CancellationToken cancellationToken)
    {
        var feed = await feeds.EnsureForRepositoryAsync(tree, [.. projects.Select(p => p.Path)], cancellationToken);
        var expires = DateTimeOffset.UtcNow + (Math.Max(1, projects.Count) * (repositoryLimits.Build + repositoryLimits.Tests)) + TimeSpan.FromMinutes(15);
        var settings = new DockerHostSettings(image, limits, minimum, feed, null, null, owner);
        return await DockerHost.CreateAsync(docker, settings, expires, cancellationToken);
    }
}
