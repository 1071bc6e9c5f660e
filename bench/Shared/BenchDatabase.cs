using Assessments.Web.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

/// <summary>A benchmark's own database on the server it is given: dropped if a run left one,
/// created empty and migrated to the app's schema. Linked into each whole-flow benchmark.</summary>
internal static class BenchDatabase
{
    /// <summary>Creates and migrates <paramref name="database"/>; returns its connection string.</summary>
    public static async Task<string> CreateMigratedAsync(string server, string database)
    {
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        await using var db = new AssessmentsDbContext(new DbContextOptionsBuilder<AssessmentsDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);
        await db.Database.MigrateAsync();
        return connectionString;
    }
}
