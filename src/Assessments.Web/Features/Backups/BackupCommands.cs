using System.CommandLine;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.Git;

namespace Assessments.Web.Features.Backups;

/// <summary><c>assess backup --to DIR</c> and <c>assess restore --from DIR</c>.</summary>
public static class BackupCommands
{
    public static Command Backup()
    {
        var to = new Option<DirectoryInfo>("--to") { Description = "A new (or empty) folder for the backup.", Required = true };
        var pgBin = new Option<DirectoryInfo?>("--pg-bin") { Description = "The folder of pg_dump (the server's major version or newer); default: the newest under /usr/lib/postgresql, else PATH." };
        var command = new Command("backup", "Back up the database (pg_dump, Hangfire's queue included) and then the built-in git host's repositories into one folder, with a manifest of checksums. Needs ConnectionStrings__Assessments and Repositories__Root.") { to, pgBin };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await StartAsync(cancellationToken);
            var (connection, root) = Settings(host);
            await using var scope = host.Services.CreateAsyncScope();
            var applied = await scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>().Database.GetAppliedMigrationsAsync(cancellationToken);
            var manifest = await Backups.Backup.TakeAsync(connection, applied.LastOrDefault(), root, parse.GetValue(to)!.FullName, parse.GetValue(pgBin)?.FullName, cancellationToken);
            Console.WriteLine($"Backed up at migration {manifest.Migration} into {parse.GetValue(to)!.FullName}: {string.Join(", ", manifest.Files.Select(f => $"{f.Name} ({f.Bytes:N0} bytes)"))}.");
            return 0;
        }));
        return command;
    }

    public static Command Restore()
    {
        var from = new Option<DirectoryInfo>("--from") { Description = "A folder `assess backup` wrote.", Required = true };
        var pgBin = new Option<DirectoryInfo?>("--pg-bin") { Description = "The folder of pg_restore; default: the newest under /usr/lib/postgresql, else PATH." };
        var command = new Command("restore", "Restore a backup into an empty database (ConnectionStrings__Assessments; createdb it first) and an empty Repositories__Root. Checks the backup's checksums first and refuses a database or folder that holds anything. Run `assess migrate` afterwards when this binary is newer than the backup.") { from, pgBin };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await StartAsync(cancellationToken);
            var (connection, root) = Settings(host);
            var manifest = await Backups.Backup.RestoreAsync(parse.GetValue(from)!.FullName, connection, root, parse.GetValue(pgBin)?.FullName, cancellationToken);
            Console.WriteLine($"Restored the backup of {manifest.TakenAt:u} (migration {manifest.Migration}) into database {new Npgsql.NpgsqlConnectionStringBuilder(connection).Database} and {root}.");
            return 0;
        }));
        return command;
    }

    /// <summary>The database (reachable, checked) and the repositories' settings, as a server reads them.</summary>
    private static Task<IHost> StartAsync(CancellationToken cancellationToken) =>
        CommandHost.StartDatabaseHostAsync(builder => builder.Services.AddValidatedOptions<RepositoryOptions>(RepositoryOptions.Section), cancellationToken);

    private static (string ConnectionString, string RepositoriesRoot) Settings(IHost host) =>
        (host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString!,
         host.Services.GetRequiredService<IOptions<RepositoryOptions>>().Value.Root);
}
