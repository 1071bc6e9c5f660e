using Greeting.Api;
using Npgsql;

var builder = WebApplication.CreateBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("Greeting")
    ?? throw new InvalidOperationException("Set ConnectionStrings__Greeting.");
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
var app = builder.Build();

await using (var init = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
    "CREATE TABLE IF NOT EXISTS greeting_stats (id int PRIMARY KEY, served bigint NOT NULL); INSERT INTO greeting_stats VALUES (1, 0) ON CONFLICT DO NOTHING"))
{
    await init.ExecuteNonQueryAsync();
}

app.MapGet("/health", () => Results.Ok());

app.MapGet("/greeting", async (NpgsqlDataSource db, string? name) =>
{
    // One round trip: count the greeting where it survives a restart.
    await using var command = db.CreateCommand("UPDATE greeting_stats SET served = served + 1 WHERE id = 1");
    await command.ExecuteNonQueryAsync();
    return Results.Ok(new { text = Greeter.Text(name) });
});

app.MapGet("/stats", async (NpgsqlDataSource db) =>
{
    await using var command = db.CreateCommand("SELECT served FROM greeting_stats WHERE id = 1");
    return Results.Ok(new { served = (long)(await command.ExecuteScalarAsync())! });
});

app.Run();
