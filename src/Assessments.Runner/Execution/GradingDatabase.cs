using System.Security.Cryptography;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;

namespace Assessments.Runner.Execution;

/// <summary>A service's database in the grading cluster: its own limited role, and the grader's
/// view of it (statistics and every table), each as an Npgsql connection string.</summary>
/// <param name="Role">The service's role (filters pg_stat_statements by user).</param>
/// <param name="ServiceConnectionString">What the service gets as <c>{database}</c>.</param>
/// <param name="GraderConnectionString">What hidden tests get as <c>ASSESS_GRADER_DATABASE</c>.</param>
public sealed record ServiceDatabase(string Role, string ServiceConnectionString, string GraderConnectionString);

/// <summary>The grader side's PostgreSQL: a private cluster per grading on the shared loopback,
/// with scram authentication for every TCP login. The superuser's password never leaves the
/// grader side; each service gets a limited role in its own database; the grader's role reads
/// statistics and data; nobody else can read or reset <c>pg_stat_statements</c>.</summary>
public sealed class GradingDatabase
{
    private const string DataDirectory = "postgres";

    private readonly IGradingHost _host;
    private readonly string _bin;
    private readonly string _superuserPassword = Secret();
    private readonly string _graderPassword = Secret();
    private readonly Dictionary<string, ServiceDatabase> _services = [];

    private GradingDatabase(IGradingHost host, string bin, int port)
    {
        _host = host;
        _bin = bin;
        Port = port;
    }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>initdb, start with grading settings, and create the grader's role and one database
    /// per service, each owned by its own login role.</summary>
    /// <param name="serviceDatabases">A name per service database; each is also its role's name.</param>
    public static async Task<GradingDatabase> StartAsync(IGradingHost host, string postgresBin, IReadOnlyList<string> serviceDatabases, CancellationToken cancellationToken)
    {
        var database = new GradingDatabase(host, postgresBin, host.AllocatePort());
        await database.InitAsync(serviceDatabases, cancellationToken);
        return database;
    }

    /// <summary>A service's database, created at start.</summary>
    public ServiceDatabase Service(string name) => _services.TryGetValue(name, out var service)
        ? service
        : throw new ArgumentException($"No service database {name} was created; StartAsync names them.", nameof(name));

    private async Task InitAsync(IReadOnlyList<string> serviceDatabases, CancellationToken cancellationToken)
    {
        await _host.PutFilesAsync(Side.Grader, "secrets", [new Scenarios.PackageFile("superuser", false, System.Text.Encoding.UTF8.GetBytes(_superuserPassword))], cancellationToken);
        await Run(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=secrets/superuser"], "initdb", cancellationToken);
        await Run(Path.Combine(_bin, "pg_ctl"),
        [
            "-D", DataDirectory, "-l", $"{DataDirectory}/server.log", "-w", "-t", "60", "start", "-o",
            // Grading settings: statistics per statement, no parallel query (stable plans and
            // buffers), minimal WAL and no fsync (throwaway data), listening on loopback only.
            // Shared buffers hold both services' working sets (a million-row table each), so a
            // timed scan reads PostgreSQL's cache as production's hot tables do, not the page cache.
            $"-p {Port} -k . -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all " +
            "-c max_parallel_workers_per_gather=0 -c wal_level=minimal -c max_wal_senders=0 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=256MB -c autovacuum=off",
        ], "start PostgreSQL", cancellationToken);

        // One psql for all of it: on the Docker host every call is an exec, which costs more than the SQL.
        // Each -c is its own transaction (CREATE DATABASE cannot share one); \connect moves on to a
        // service's database to close its pg_stat_statements to everyone but the grader.
        var commands = new List<string>
        {
            $"CREATE ROLE grader LOGIN PASSWORD '{_graderPassword}'",
            "GRANT pg_read_all_stats, pg_read_all_data, pg_write_all_data TO grader",
        };
        foreach (var name in serviceDatabases)
        {
            var password = Secret();
            commands.Add($"CREATE ROLE {name} LOGIN PASSWORD '{password}' NOSUPERUSER NOCREATEDB NOCREATEROLE");
            commands.Add($"CREATE DATABASE {name} OWNER {name}");
            commands.Add($"\\connect {name}");
            commands.Add("""
                CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
                REVOKE ALL ON pg_stat_statements FROM PUBLIC;
                REVOKE ALL ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) FROM PUBLIC;
                GRANT SELECT ON pg_stat_statements TO grader;
                GRANT EXECUTE ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) TO grader;
                """);
            _services[name] = new ServiceDatabase(
                name,
                $"Host=127.0.0.1;Port={Port};Database={name};Username={name};Password={password}",
                $"Host=127.0.0.1;Port={Port};Database={name};Username=grader;Password={_graderPassword}");
        }

        await Sql("postgres", commands, cancellationToken);
    }

    /// <summary>Stops the cluster (fast shutdown).</summary>
    public async Task StopAsync(CancellationToken cancellationToken) =>
        await _host.RunAsync(Side.Grader, Command(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]), cancellationToken);

    private Task Sql(string database, IReadOnlyList<string> commands, CancellationToken cancellationToken) =>
        Run(Path.Combine(_bin, "psql"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", .. commands.SelectMany(c => new[] { "-c", c })],
            $"SQL in {database}", cancellationToken, new Dictionary<string, string> { ["PGPASSWORD"] = _superuserPassword });

    private async Task Run(string program, IReadOnlyList<string> args, string what, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await _host.RunAsync(Side.Grader, Command(program, args, environment), cancellationToken);
        if (!result.Succeeded)
        {
            throw new GradingInfrastructureException("start-postgres", $"{what} failed ({(result.TimedOut ? "timed out" : $"exit {result.ExitCode}")}): {Tail(result.Output)}");
        }
    }

    private static CommandSpec Command(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        new(program, args, null, environment ?? new Dictionary<string, string>(), TimeSpan.FromMinutes(2), AsDatabaseOwner: true);

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    internal static string Tail(string output, int lines = 15) =>
        string.Join('\n', output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}

/// <summary>The grading could not run for a reason that is not the candidate's: the report's
/// verdict is sandbox-error, with the stage and the reason.</summary>
public sealed class GradingInfrastructureException(string stage, string message) : Exception(message)
{
    /// <summary>The stage that failed.</summary>
    public string Stage { get; } = stage;
}
