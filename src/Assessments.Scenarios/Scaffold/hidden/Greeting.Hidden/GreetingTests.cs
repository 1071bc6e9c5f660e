using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace Greeting.Hidden;

/// <summary>Black-box: HTTP to the service, PostgreSQL as the grader.</summary>
public sealed class GreetingTests
{
    private static readonly HttpClient Http = new() { BaseAddress = new Uri(Environment.GetEnvironmentVariable("ASSESS_SERVICE_URL")!) };
    private static readonly string Grader = Environment.GetEnvironmentVariable("ASSESS_GRADER_DATABASE")!;
    private static readonly string Role = Environment.GetEnvironmentVariable("ASSESS_SERVICE_ROLE")!;

    [Fact]
    [Trait("Phase", "main")]
    public async Task GreetingTakesOneStatement()
    {
        await Http.GetAsync("/greeting"); // the first call may open the pool
        await using var db = new NpgsqlConnection(Grader);
        await db.OpenAsync();
        await Execute(db, "SELECT pg_stat_statements_reset((SELECT oid FROM pg_roles WHERE rolname = @role), 0, 0)");

        var response = await Http.GetFromJsonAsync<JsonElement>("/greeting?name=Ada");
        Assert.Equal("hello, Ada", response.GetProperty("text").GetString());

        var statements = await Count(db);
        Metric("statements_per_request", statements);
        Assert.True(statements <= 2, $"GET /greeting took {statements} statements; at most 2 expected");
    }

    [Fact]
    [Trait("Phase", "after-restart")]
    public async Task GreetingCountSurvivesRestart()
    {
        var stats = await Http.GetFromJsonAsync<JsonElement>("/stats");
        var served = stats.GetProperty("served").GetInt32();
        Assert.True(served >= 2, $"greetings served was {served} after the restart; the main phase served 2");
    }

    private static async Task Execute(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("role", Role);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> Count(NpgsqlConnection db)
    {
        await using var command = new NpgsqlCommand(
            // DISCARD ALL is Npgsql resetting a pooled connection, sent together with the next
            // statement: not a round trip of the service's own.
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = @role AND s.query <> 'DISCARD ALL'", db);
        command.Parameters.AddWithValue("role", Role);
        return (long)(decimal)(await command.ExecuteScalarAsync())!;
    }

    private static void Metric(string key, double value)
    {
        if (Environment.GetEnvironmentVariable("ASSESS_METRICS_FILE") is { Length: > 0 } file)
        {
            File.AppendAllText(file, JsonSerializer.Serialize(new { key, value }) + "\n");
        }
    }
}
