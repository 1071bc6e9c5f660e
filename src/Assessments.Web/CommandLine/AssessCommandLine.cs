using System.CommandLine;
using Assessments.Web.Data;
using Assessments.Web.Features.Account;
using Assessments.Web.Features.Demo;
using Assessments.Web.Hosting;

namespace Assessments.Web.CommandLine;

/// <summary>The <c>assess</c> command line: noun-verb commands (<c>assess admin create</c>), each
/// validating only the configuration it needs.</summary>
public static class AssessCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("Assessments: hands-on technical assessments with sandboxed grading.")
        {
            ServerCommands.Serve(),
            ServerCommands.Worker(),
            DatabaseCommands.Migrate(),
            DemoCommands.SeedDemo(),
            AdminCommands.Admin(),
            Features.Scenarios.ScenarioCommands.Scenario(),
            Features.Sandbox.SandboxCommands.Sandbox(),
            Features.Grading.GradeCommand.Grade(),
            Features.Grading.GradingCommands.Grading(),
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

/// <summary>Turns the failures a user can fix into one line on stderr and exit code 2.</summary>
public static class CommandRunner
{
    public const int ConfigurationError = 2;

    public const int UsageError = 3;

    public static int Run(Func<int> action) => RunAsync(() => Task.FromResult(action())).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"assess: {e.Message}");
            return ConfigurationError;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"assess: {string.Join("; ", e.Failures)}");
            return ConfigurationError;
        }
        catch (CommandException e)
        {
            await Console.Error.WriteLineAsync($"assess: {e.Message}");
            return UsageError;
        }
    }
}

/// <summary>A command that cannot do what was asked; the message says why and what to do.</summary>
public sealed class CommandException(string message) : Exception(message);
