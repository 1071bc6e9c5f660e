using Greeting.Api;
using Npgsql;

var builder = WebApplication.CreateBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("Greeting")
    ?? throw new InvalidOperationException("Set ConnectionStrings__Greeting.");
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
var app = builder.Build();

var served = 0;

app.MapGet("/health", () => Results.Ok());

app.MapGet("/greeting", async (NpgsqlDataSource db, string? name) =>
{
    // "Warm up" the connection before answering: ten round trips per request.
    for (var i = 0; i < 10; i++)
    {
        await using var command = db.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync();
    }

    Interlocked.Increment(ref served);
    return Results.Ok(new { text = Greeter.Text(name) });
});

app.MapGet("/stats", () => Results.Ok(new { served }));

app.Run();
