using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests.Sandbox;

/// <summary>Grades a tree in the real sandbox as a candidate's submission and checks that nothing
/// of the grading is left on the host afterwards: no container, no process in one of its cgroups,
/// no disk used.</summary>
internal static class SandboxGradings
{
    public static async Task<GradingReport> GradeAndCheckNothingIsLeftAsync(DockerSandbox sandbox, IGradingHostFactory factory, GradingEngine engine, ScenarioPackage package, IReadOnlyList<PackageFile> tree, bool compareWithBaseline)
    {
        var ct = TestContext.Current.CancellationToken;
        var before = HostFacts.Take([]);
        var hosts = new RecordingHostFactory(factory);
        var report = await engine.RunAsync(new GradingRequest(package, tree, new SubjectRef(SubjectKind.Candidate, "hostile", null), compareWithBaseline), await hosts.CreateAsync(package, true, ct), ct);
        await hosts.DisposeAllAsync();

        Assert.Empty(await sandbox.ContainersOfAsync(hosts.GradingIds.Single()));
        var after = HostFacts.Take(hosts.ContainerIds);
        Assert.Equal(0, after.SandboxProcesses);
        Assert.True(before.FreeDiskBytes - after.FreeDiskBytes < (1L << 30), $"host disk shrank by {(before.FreeDiskBytes - after.FreeDiskBytes) >> 20} MB");
        return report;
    }

    /// <summary>Host processes still in one of the grading's containers' cgroups, whatever their
    /// uid (other tests may grade at the same time, so the uid alone does not say whose), and the
    /// host's free disk.</summary>
    private sealed record HostFacts(int SandboxProcesses, long FreeDiskBytes)
    {
        public static HostFacts Take(IReadOnlyList<string> containerIds)
        {
            var sandboxProcesses = Directory.EnumerateDirectories("/proc")
                .Where(d => int.TryParse(Path.GetFileName(d), out _))
                .Count(d =>
                {
                    try
                    {
                        var cgroup = File.ReadAllText(Path.Combine(d, "cgroup"));
                        return containerIds.Any(id => cgroup.Contains(id, StringComparison.Ordinal));
                    }
                    catch (IOException)
                    {
                        return false; // gone meanwhile
                    }
                });
            return new HostFacts(sandboxProcesses, new DriveInfo("/").AvailableFreeSpace);
        }
    }
}
