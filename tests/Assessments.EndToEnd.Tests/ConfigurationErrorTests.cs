using Assessments.EndToEnd.Tests.Infrastructure;

namespace Assessments.EndToEnd.Tests;

/// <summary>A bad configuration fails at start with one clear line saying what to set, never a stack trace.</summary>
public sealed class ConfigurationErrorTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task MissingConnectionStringNamesTheSettingToSet()
    {
        var (exitCode, _, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string> { ["Web__PublicBaseUrl"] = "http://127.0.0.1:1" }, Timeout, "serve");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("assess: ", line);
        Assert.Contains("set ConnectionStrings__Assessments", line);
    }

    [Fact]
    public async Task UnreachablePostgresNamesTheAddressAndTheSetting()
    {
        var port = AssessProcess.FreePort();
        var (exitCode, _, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Assessments"] = $"Host=127.0.0.1;Port={port};Database=assessments;Username=assessments;Password=x;Timeout=3",
                ["Web__PublicBaseUrl"] = "http://127.0.0.1:1",
            },
            Timeout,
            "worker");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(Lines(stderr));
        Assert.Contains($"cannot connect to PostgreSQL at 127.0.0.1:{port}/assessments", line);
        Assert.Contains("ConnectionStrings__Assessments", line);
    }

    [Fact]
    public async Task MissingPublicBaseUrlStopsTheWebRole()
    {
        var (exitCode, _, stderr) = await AssessProcess.RunAsync(
            new Dictionary<string, string> { ["ConnectionStrings__Assessments"] = database.ConnectionString }, Timeout, "serve", "--role", "web");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(Lines(stderr));
        Assert.Contains("set Web__PublicBaseUrl", line);
    }

    [Fact]
    public async Task UnmigratedDatabaseTellsTheOperatorToMigrate()
    {
        var empty = await TestPostgres.CreateDatabaseAsync("unmigrated", TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, _, stderr) = await AssessProcess.RunAsync(
                new Dictionary<string, string> { ["ConnectionStrings__Assessments"] = empty, ["Web__PublicBaseUrl"] = "http://127.0.0.1:1" },
                Timeout,
                "serve");

            Assert.Equal(2, exitCode);
            var line = Assert.Single(Lines(stderr));
            Assert.Contains("run `assess migrate`", line);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(empty);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("serve", "--help")]
    [InlineData("worker", "--help")]
    [InlineData("migrate", "--help")]
    [InlineData("seed-demo", "--help")]
    [InlineData("admin", "create", "--help")]
    public async Task HelpNeedsNoConfiguration(params string[] args)
    {
        var (exitCode, stdout, stderr) = await AssessProcess.RunAsync(new Dictionary<string, string>(), Timeout, args);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("Usage:", stdout);
        Assert.Empty(Lines(stderr));
    }

    [Fact]
    public async Task AdminCreateNeedsOnlyTheDatabase()
    {
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        var env = new Dictionary<string, string> { ["ConnectionStrings__Assessments"] = database.ConnectionString };

        var (exitCode, stdout, stderr) = await AssessProcess.RunAsync(env, Timeout, "admin", "create", "--email", email);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("Password (shown once): ", stdout);

        var again = await AssessProcess.RunAsync(env, Timeout, "admin", "create", "--email", email);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("already exists", Assert.Single(Lines(again.Stderr)));

        var ifMissing = await AssessProcess.RunAsync(env, Timeout, "admin", "create", "--email", email, "--if-missing");
        Assert.Equal(0, ifMissing.ExitCode);
    }

    [Fact]
    public async Task UnknownCommandOptionIsAUsageError()
    {
        var (exitCode, _, stderr) = await AssessProcess.RunAsync(new Dictionary<string, string>(), Timeout, "admin", "create", "--email", "x@example.com", "--oprator");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("--oprator", stderr);
    }

    private static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
