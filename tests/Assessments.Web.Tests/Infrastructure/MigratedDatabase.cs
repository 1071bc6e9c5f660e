using Assessments.Web.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Respawn;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>A database of its own on the test cluster, migrated with the committed migrations
/// (never EnsureCreated), emptied between tests with Respawn.</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    private Respawner? _respawner;

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("web");
        await using var db = CreateContext();
        await db.Database.MigrateAsync();

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = ["public"],
            TablesToIgnore = ["__EFMigrationsHistory", "data_protection_keys"],
        });
    }

    public AssessmentsDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<AssessmentsDbContext>()
            .UseNpgsql(ConnectionString)
            .UseSnakeCaseNamingConvention()
            .Options);

    public async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await _respawner!.ResetAsync(connection);
    }

    public async ValueTask DisposeAsync() => await TestPostgres.DropDatabaseAsync(ConnectionString);
}
