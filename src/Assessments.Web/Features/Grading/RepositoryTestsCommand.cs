using Assessments.Runner.RepositoryTests;
using Assessments.Runner.Results;
using Assessments.Runner.Submissions;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.Sandbox;

namespace Assessments.Web.Features.Grading;

/// <summary><c>assess grade --dir PATH</c> without a scenario: the folder's own xunit test
/// projects, run in the Docker sandbox after their packages were restored on this machine.</summary>
internal static class RepositoryTestsCommand
{
    /// <summary>Lines of a test's captured output the summary prints; the report keeps it all (capped).</summary>
    private const int OutputLines = 20;

    public static async Task<int> RunAsync(DirectoryInfo? dir, string? repo, FileInfo? json, CancellationToken cancellationToken)
    {
        if (dir is null || repo is not null)
        {
            throw new CommandException("without --scenario, give --dir PATH: a repository's own tests are run from a working folder (trusted code only; see assess grade --help)");
        }

        CandidateTree tree;
        try
        {
            tree = CandidateTree.FromDirectory(dir.FullName, new TreeLimits());
        }
        catch (CandidateTreeException e)
        {
            throw new CommandException(e.Message);
        }

        var projects = TestProjects.Find(tree.Files);
        if (projects.Count == 0)
        {
            throw new CommandException($"{dir.FullName}: no xunit test project found (no .csproj references xunit.v3 or xunit); nothing to run");
        }

        using var host = CommandHost.StartHost(builder => builder.AddSandbox());
        Runner.Hosting.IGradingHostFactory hosts;
        try
        {
            hosts = await host.Services.GetRequiredService<SandboxRuntime>().HostsAsync(cancellationToken);
        }
        catch (SandboxUnavailableException e)
        {
            throw new CommandException(e.Message);
        }

        Console.WriteLine($"Running the tests of {dir.FullName} in the Docker sandbox: {string.Join(", ", projects.Select(p => $"{p.Path} (xunit {(p.Xunit == XunitGeneration.V3 ? "v3" : "v2")})"))}");
        Console.WriteLine("Restoring their packages on this machine first (trusted code only) ...");
        var limits = RepositoryTestLimits.Default;
        IReadOnlyList<Assessments.Scenarios.PackageFile> files = tree.Files;
        await using var gradingHost = await CreateHostAsync(hosts, files, projects, limits, cancellationToken);
        using var display = new GradeCommand.StageDisplay(Console.Out, interactive: !Console.IsOutputRedirected);
        var report = await new RepositoryTestRun(gradingHost, limits)
            .RunAsync(files, projects, new SubjectRef(SubjectKind.Repository, dir.FullName, null), cancellationToken, display);
        display.Stop();

        if (json is not null)
        {
            await File.WriteAllTextAsync(json.FullName, report.ToJson(), cancellationToken);
        }

        GradeCommand.PrintSummary(report);
        PrintOutput(report);
        return report.Verdict == Verdict.Passed ? 0 : GradeCommand.NotPassed;
    }

    private static async Task<Runner.Hosting.IGradingHost> CreateHostAsync(Runner.Hosting.IGradingHostFactory hosts, IReadOnlyList<Assessments.Scenarios.PackageFile> files, IReadOnlyList<TestProject> projects, RepositoryTestLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            return await hosts.CreateForRepositoryAsync(files, projects, limits, cancellationToken);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Restoring ", StringComparison.Ordinal))
        {
            // The host's restore failed: the repository's own problem, said as the restore said it.
            throw new CommandException(e.Message);
        }
    }

    /// <summary>Each test's captured output, the first lines of it; the report has the rest.</summary>
    private static void PrintOutput(GradingReport report)
    {
        foreach (var test in report.Tests.Where(t => !string.IsNullOrWhiteSpace(t.Output)))
        {
            Console.WriteLine();
            Console.WriteLine($"OUTPUT of {test.Name}{(test.OutputTruncated ? " (cut at the cap)" : "")}");
            var lines = test.Output!.TrimEnd().Split('\n');
            foreach (var line in lines.Take(OutputLines))
            {
                Console.WriteLine($"  {line.TrimEnd('\r')}");
            }

            if (lines.Length > OutputLines)
            {
                Console.WriteLine($"  … {lines.Length - OutputLines} more lines in the report (--json)");
            }
        }
    }
}
