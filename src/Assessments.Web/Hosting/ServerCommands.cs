using System.CommandLine;
using Assessments.Web.CommandLine;

namespace Assessments.Web.Hosting;

public static class ServerCommands
{
    public static Command Serve()
    {
        var role = new Option<string>("--role")
        {
            Description = "What this process does: all (web and worker), web, or worker.",
            DefaultValueFactory = _ => "all",
        };
        role.AcceptOnlyFromAmong("all", "web", "worker");

        var command = new Command("serve", "Run the server: pages, git host and webhooks (web role) and job processing (worker role). Extra options such as --urls http://127.0.0.1:8080 go to ASP.NET Core.")
        {
            role,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
        {
            var roles = parse.GetValue(role) switch
            {
                "web" => ServerRoles.Web,
                "worker" => ServerRoles.Worker,
                _ => ServerRoles.All,
            };
            return RunServerAsync(parse.UnmatchedTokens.ToArray(), roles, cancellationToken);
        }));
        return command;
    }

    public static Command Worker()
    {
        var command = new Command("worker", "Run a worker only: processes jobs (gradings need the Docker engine) and serves /healthz and /readyz. Start as many as the machines allow against the same database.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
            CommandRunner.RunAsync(() => RunServerAsync(parse.UnmatchedTokens.ToArray(), ServerRoles.Worker, cancellationToken)));
        return command;
    }

    public static async Task<int> RunServerAsync(string[] args, ServerRoles roles, CancellationToken cancellationToken)
    {
        await using var app = AssessmentsWebApplication.Build(args, roles);
        await StartupChecks.EnsureDatabaseReachableAsync(app.Services, cancellationToken);
        await StartupChecks.EnsureSchemaCurrentAsync(app.Services, cancellationToken);

        app.Logger.LogInformation("Starting roles {Roles} as process {ProcessId}", roles, Environment.ProcessId);
        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
