using System.CommandLine;
using Assessments.Web.CommandLine;
using Hangfire.PostgreSql;

namespace Assessments.Web.Hosting;

public static class DatabaseCommands
{
    public static Command Migrate()
    {
        var command = new Command("migrate", "Apply the database migrations and create Hangfire's schema. Safe to run again; needs ConnectionStrings__Assessments.");
        command.SetAction((_, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(null, cancellationToken);
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await db.Database.MigrateAsync(cancellationToken);

            // Hangfire creates its own tables; doing it here means servers never race to do it.
            var schema = host.Services.GetRequiredService<IConfiguration>()["Jobs:Schema"] ?? "hangfire";
            await using var connection = await scope.ServiceProvider.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
            PostgreSqlObjectsInstaller.Install(connection, schema);

            Console.WriteLine(pending.Count == 0
                ? "Database is up to date."
                : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}.");
            return 0;
        }));
        return command;
    }
}
