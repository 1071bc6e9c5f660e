using Npgsql;

namespace Assessments.Web.Common;

/// <summary>A start that cannot succeed; its message is one line that says what to set or do.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Checks a process makes before it serves or runs jobs, so a bad configuration fails
/// at once with one clear line instead of a stack trace from the first request.</summary>
public static class StartupChecks
{
    /// <summary>Validates every options class registered with <c>ValidateOnStart</c>.</summary>
    public static void ValidateOptions(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw new StartupException(string.Join("; ", e.Failures), e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures);
            throw new StartupException(string.Join("; ", failures), e);
        }
    }

    /// <summary>Opens one connection to the configured database.</summary>
    public static async Task EnsureDatabaseReachableAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = services.GetRequiredService<NpgsqlDataSource>();
        }
        catch (ArgumentException e)
        {
            throw new StartupException(
                $"ConnectionStrings:Assessments is not a valid PostgreSQL connection string ({e.Message}): set ConnectionStrings__Assessments to Host=...;Database=...;Username=...;Password=...", e);
        }

        var where = Describe(dataSource.ConnectionString);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new StartupException(
                $"cannot connect to PostgreSQL at {where} (ConnectionStrings:Assessments): {e.GetBaseException().Message}. Start PostgreSQL or set ConnectionStrings__Assessments.", e);
        }
    }

    /// <summary>Refuses to serve on a schema older than the code, or applies the migrations when
    /// <c>Database:MigrateOnStart</c> is on.</summary>
    public static async Task EnsureSchemaCurrentAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }

        throw new StartupException(
            $"the database is missing {pending.Count} migration(s) (latest {pending[^1]}): run `assess migrate`, or set Database__MigrateOnStart=true");
    }

    private static string Describe(string? connectionString)
    {
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{parsed.Host}:{parsed.Port}/{parsed.Database}";
    }
}
