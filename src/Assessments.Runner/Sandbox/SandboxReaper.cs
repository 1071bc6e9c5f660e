using System.Globalization;
using Assessments.Runner.Hosting;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.Runner.Sandbox;

/// <summary>What a reaping removed.</summary>
public sealed record ReapResult(IReadOnlyList<string> Containers, IReadOnlyList<string> Volumes);

/// <summary>Removes sandbox containers a crashed worker left behind: every container labelled
/// <see cref="SandboxLabels.Sandbox"/> whose <see cref="SandboxLabels.Expires"/> time has passed
/// (every limit of its grading is over by then, so no live grading loses a container) or whose
/// <see cref="SandboxOwner"/> the caller knows is no longer live (another attempt of its grading
/// started, or the grading ended), the service sides before the grader's that owns their
/// namespace; and labelled volumes that are not caches. Offline feeds are caches and stay unless
/// asked.</summary>
public sealed class SandboxReaper(IDockerClient docker, TimeProvider time)
{
    /// <summary>Reaps what has expired; with <paramref name="everything"/>, every sandbox container
    /// and volume whatever its expiry, caches included (for an operator on a stopped worker).</summary>
    public Task<ReapResult> ReapAsync(bool everything, CancellationToken cancellationToken) =>
        ReapAsync(everything, liveOwners: null, cancellationToken);

    /// <summary>Reaps what has expired and every container whose owner is not among those
    /// <paramref name="liveOwners"/> returns. It is asked after the containers are listed, so an
    /// answer read from the database then is never older than a container it judges.</summary>
    public async Task<ReapResult> ReapAsync(bool everything, Func<IReadOnlyCollection<SandboxOwner>, CancellationToken, Task<IReadOnlySet<SandboxOwner>>>? liveOwners, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var containers = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = LabelFilter(SandboxLabels.Sandbox),
        }, cancellationToken);

        var owners = containers.Select(c => SandboxOwner.From(c.Labels)).OfType<SandboxOwner>().Distinct().ToList();
        var live = liveOwners is null || owners.Count == 0 ? owners.ToHashSet() : await liveOwners(owners, cancellationToken);
        var expired = containers
            .Where(c => everything || !c.Labels.TryGetValue(SandboxLabels.Expires, out var expires)
                || !long.TryParse(expires, CultureInfo.InvariantCulture, out var at) || at < now
                || (SandboxOwner.From(c.Labels) is { } owner && !live.Contains(owner)))
            // Joined sides first: removing the grader first would leave them in a dead namespace.
            .OrderBy(c => c.Labels.TryGetValue(SandboxLabels.Side, out var side) && side == "grader" ? 1 : 0)
            .ToList();
        foreach (var container in expired)
        {
            await DockerHost.RemoveAsync(docker, container.ID);
        }

        var volumes = await docker.Volumes.ListAsync(new VolumesListParameters { Filters = LabelFilter(SandboxLabels.Sandbox) }, cancellationToken);
        var removedVolumes = new List<string>();
        foreach (var volume in volumes.Volumes ?? [])
        {
            if (!everything && volume.Labels?.ContainsKey(SandboxLabels.Cache) == true)
            {
                continue;
            }

            try
            {
                await docker.Volumes.RemoveAsync(volume.Name, force: false, cancellationToken);
                removedVolumes.Add(volume.Name);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // In use by a live grading: it goes with that grading.
            }
        }

        return new ReapResult(expired.Select(c => c.Names.FirstOrDefault()?.TrimStart('/') ?? c.ID).ToList(), removedVolumes);
    }

    private static Dictionary<string, IDictionary<string, bool>> LabelFilter(string label) =>
        new() { ["label"] = new Dictionary<string, bool> { [label] = true } };
}
