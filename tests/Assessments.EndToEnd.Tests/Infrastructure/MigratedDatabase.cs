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

    public async ValueTask DisposeAsync() => await TestPostgres.DropDatabaseAsync(ConnectionString);
}
