using System.CommandLine;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.Account;
using Assessments.Web.Features.Demo;

namespace Assessments.Web.Hosting;

/// <summary>The <c>assess</c> command line: noun-verb commands (<c>assess admin create</c>), each
/// validating only the configuration it needs. Part of the composition root: it names every
/// feature's verbs, and nothing names it but Program.</summary>
public static class AssessCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("Assessments: hands-on technical assessments with sandboxed grading.")
        {
            ServerCommands.Serve(),
            ServerCommands.Worker(),
            DatabaseCommands.Migrate(),
            Features.Backups.BackupCommands.Backup(),
            Features.Backups.BackupCommands.Restore(),
            DemoCommands.SeedDemo(),
            AdminCommands.Admin(),
            Features.Scenarios.ScenarioCommands.Scenario(),
            Features.Sandbox.SandboxCommands.Sandbox(),
            Features.Grading.GradeCommand.Grade(),
            Features.Grading.GradingCommands.Grading(),
            Features.Verification.VerificationCommands.Verification(),
            Features.Lifecycle.AssessmentCommands.Assessment(),
            Features.Organisations.OrganisationCommands.Organisation(),
        };

        // With no command, serve both roles: what `dotnet run` expects.
        root.SetAction((_, cancellationToken) =>
            CommandRunner.RunAsync(() => ServerCommands.RunServerAsync([], ServerRoles.All, cancellationToken)));

        var parseResult = root.Parse(args);
        return await parseResult.InvokeAsync(new InvocationConfiguration
        {
            // Give servers time to finish their jobs' current step after SIGTERM.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
        });
    }
}
