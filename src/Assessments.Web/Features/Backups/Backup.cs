using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Assessments.Web.CommandLine;
using Npgsql;

namespace Assessments.Web.Features.Backups;

/// <summary>What a backup folder holds, written last (<c>backup.json</c>): when it was taken, the
/// newest migration the database had, and each file with its size and SHA-256, so a restore
/// refuses a folder that is incomplete or changed.</summary>
public sealed record BackupManifest(DateTimeOffset TakenAt, string? Migration, IReadOnlyList<BackupFile> Files);

public sealed record BackupFile(string Name, long Bytes, string Sha256);

/// <summary>Backs up and restores the two things the platform keeps: the PostgreSQL database
/// (with Hangfire's queue, in the same database) through <c>pg_dump</c>/<c>pg_restore</c>, and the
/// built-in git host's repositories as one archive. The database is dumped first: a push that
/// lands between the two is in the repositories but not the database, and the workers'
/// reconciliation records it after a restore; the other order could leave a submission whose
/// commit no repository holds.</summary>
public static class Backup
{
    public const string ManifestFile = "backup.json";
    public const string DatabaseFile = "database.dump";
    public const string RepositoriesFile = "repositories.tar.gz";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="migration">The newest migration the database has applied (null: never migrated).</param>
    public static async Task<BackupManifest> TakeAsync(string connectionString, string? migration, string repositoriesRoot, string folder, string? pgBin, CancellationToken cancellationToken)
    {
        if (migration is null)
        {
            throw new CommandException("The database has never been migrated; there is nothing of Assessments in it to back up.");
        }

        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new CommandException($"{folder} is not empty; back up into a new folder.");
        }

        Directory.CreateDirectory(folder);
        await RunAsync(Tool("pg_dump", pgBin), ["--format=custom", "--no-owner", "--no-privileges", $"--file={Path.Combine(folder, DatabaseFile)}"], connectionString, cancellationToken);

        var archive = Path.Combine(folder, RepositoriesFile);
        await using (var output = File.Create(archive))
        await using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            if (Directory.Exists(repositoriesRoot))
            {
                await TarFile.CreateFromDirectoryAsync(repositoriesRoot, gzip, includeBaseDirectory: false, cancellationToken);
            }
            else
            {
                // No built-in repositories yet (or only GitHub's): an empty archive says so.
                await using var empty = new TarWriter(gzip, leaveOpen: true);
            }
        }

        var manifest = new BackupManifest(DateTimeOffset.UtcNow, migration, [await DescribeAsync(folder, DatabaseFile, cancellationToken), await DescribeAsync(folder, RepositoriesFile, cancellationToken)]);
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, Json), cancellationToken);
        return manifest;
    }

    /// <summary>Restores into an empty database and an empty (or missing) repositories folder;
    /// anything else is refused before a byte is written, so a mistaken restore destroys nothing.</summary>
    public static async Task<BackupManifest> RestoreAsync(string folder, string connectionString, string repositoriesRoot, string? pgBin, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new CommandException($"{folder} holds no {ManifestFile}: it is not a backup, or the backup did not finish.");
        }

        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, cancellationToken), Json)
            ?? throw new CommandException($"{manifestPath} is empty.");
        foreach (var file in manifest.Files)
        {
            var actual = await DescribeAsync(folder, file.Name, cancellationToken);
            if (actual != file)
            {
                throw new CommandException($"{Path.Combine(folder, file.Name)} is not the file the backup wrote ({actual.Bytes:N0} bytes, sha256 {actual.Sha256[..12]}…; expected {file.Bytes:N0}, {file.Sha256[..12]}…).");
            }
        }

        if (await TableCountAsync(connectionString, cancellationToken) is var tables and > 0)
        {
            throw new CommandException($"The database {new NpgsqlConnectionStringBuilder(connectionString).Database} holds {tables} table(s); restore into an empty database (createdb a new one).");
        }

        if (Directory.Exists(repositoriesRoot) && Directory.EnumerateFileSystemEntries(repositoriesRoot).Any())
        {
            throw new CommandException($"{repositoriesRoot} is not empty; restore the repositories into an empty folder.");
        }

        await RunAsync(Tool("pg_restore", pgBin), ["--no-owner", "--no-privileges", "--exit-on-error", Path.Combine(folder, DatabaseFile)], connectionString, cancellationToken);
        Directory.CreateDirectory(repositoriesRoot);
        await using (var input = File.OpenRead(Path.Combine(folder, RepositoriesFile)))
        await using (var gzip = new GZipStream(input, CompressionMode.Decompress))
        {
            await TarFile.ExtractToDirectoryAsync(gzip, repositoriesRoot, overwriteFiles: false, cancellationToken);
        }

        return manifest;
    }

    private static async Task<BackupFile> DescribeAsync(string folder, string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            throw new CommandException($"{path} is missing.");
        }

        await using var stream = File.OpenRead(path);
        return new BackupFile(name, stream.Length, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken)));
    }

    private static async Task<long> TableCountAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var command = source.CreateCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The tool from <paramref name="pgBin"/>, else the newest Debian PostgreSQL's, else PATH.
    /// Its major version must be at least the server's (pg_dump says so when it is not).</summary>
    private static string Tool(string name, string? pgBin)
    {
        if (pgBin is not null)
        {
            return Path.Combine(pgBin, name);
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", name)).Where(File.Exists)
                .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out var major) ? major : 0).FirstOrDefault()
            : null;
        return debian ?? name;
    }

    /// <summary>Runs a libpq tool against the connection string's server, the password through the
    /// environment (never the command line, which other users can read).</summary>
    private static async Task RunAsync(string tool, IReadOnlyList<string> arguments, string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add($"--dbname={connection.Database}");
        start.Environment["PGHOST"] = connection.Host;
        start.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = connection.Username;
        start.Environment["PGPASSWORD"] = connection.Password;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CommandException($"{tool} could not be started ({e.Message}); install PostgreSQL's client tools of the server's major version, or name their folder with --pg-bin.");
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new CommandException($"{Path.GetFileName(tool)} failed (exit {process.ExitCode}): {(await error).Trim()}");
            }
        }
    }
}
