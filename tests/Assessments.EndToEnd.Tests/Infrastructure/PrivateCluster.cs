using System.Diagnostics;
using Npgsql;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>A PostgreSQL cluster of one test's own, made by scripts/lib.sh's <c>pg_start</c> as the
/// suite's is. A fault test can stop, crash or restart it without disturbing the others, and a
/// restore has somewhere new to go. It lives under the test folder, which the postgres user can
/// reach (755), and is removed on dispose.</summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _folder;
    private readonly int _port;

    private PrivateCluster(string folder, int port, string password)
    {
        (_folder, _port) = (folder, port);
        Superuser = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password}";
    }

    /// <summary>The superuser's connection string, to the <c>postgres</c> database.</summary>
    public string Superuser { get; }

    public static async Task<PrivateCluster> StartAsync(string name, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? "/var/tmp", $"{name}-cluster-{Guid.NewGuid():N}");
        var port = AssessProcess.FreePort();
        await LibAsync($"pg_start '{folder}' {port} '{folder}.password'", cancellationToken);
        return new PrivateCluster(folder, port, (await File.ReadAllTextAsync($"{folder}.password", cancellationToken)).Trim());
    }

    /// <summary>An empty database <paramref name="name"/>; its connection string as the superuser.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using (var admin = NpgsqlDataSource.Create(Superuser))
        {
            await admin.CreateCommand($"CREATE DATABASE \"{name}\"").ExecuteNonQueryAsync(cancellationToken);
        }

        return $"{Superuser};Database={name}";
    }

    /// <summary>Stops the server as a crash would (<c>pg_ctl stop -m immediate</c>): every
    /// connection cut, no checkpoint; committed transactions are in the WAL and survive.</summary>
    public Task CrashAsync(CancellationToken cancellationToken) =>
        PgCtlAsync("-m immediate -w stop", cancellationToken);

    /// <summary>Starts the server again on the same port; it recovers from its WAL first.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken) =>
        LibAsync($"pg_start '{_folder}' {_port} '{_folder}.password'", cancellationToken);

    public async ValueTask DisposeAsync() =>
        await LibAsync($"pg_stop '{_folder}'; rm -rf '{_folder}' '{_folder}.password' '{_folder}.initdb.log'", CancellationToken.None);

    private Task PgCtlAsync(string arguments, CancellationToken cancellationToken) =>
        LibAsync($"runuser -u postgres -- \"$(pg_bin)/pg_ctl\" -D '{_folder}' {arguments} >/dev/null", cancellationToken);

    private static async Task LibAsync(string script, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", $". '{RepositoryRoot.Path}/scripts/lib.sh' && {script}"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"{script}: {await error}");
    }
}
