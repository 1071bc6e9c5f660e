using Assessments.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>A database of its own, migrated by the published binary's own <c>assess migrate</c>.</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("e2e");
        var (exitCode, stdout, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string> { ["ConnectionStrings__Assessments"] = ConnectionString },
            TimeSpan.FromMinutes(2),
            "migrate");
        Assert.True(exitCode == 0, $"assess migrate failed ({exitCode}):\n{stdout}\n{stderr}");
    }

    /// <summary>A context on this database, for reading what the processes under test stored.</summary>
    public AssessmentsDbContext CreateContext() => Context(ConnectionString);

    /// <summary>A context on any database of the app's shape (a restored one, say).</summary>
    public static AssessmentsDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<AssessmentsDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);

    public async ValueTask DisposeAsync() => await TestPostgres.DropDatabaseAsync(ConnectionString);
}
