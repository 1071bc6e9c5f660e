using Microsoft.EntityFrameworkCore;
using Orders.Api.Customers;
using Orders.Api.Data;
using Orders.Api.Orders;

// appsettings*.json are read from next to the binary, whatever the working directory is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

var connectionString = builder.Configuration.GetConnectionString("Orders");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine(
        "Orders.Api: no database configured. Set the environment variable ConnectionStrings__Orders " +
        "(e.g. \"Host=localhost;Port=5433;Database=orders;Username=orders;Password=orders\").");
    return 2;
}

builder.Services.AddDbContext<OrdersDbContext>(options => options.UseNpgsql(connectionString));
builder.Services.AddSingleton<OrderSnapshot>();
builder.Services.AddScoped<OrderQueries>();
builder.Services.AddScoped<OrderCommands>();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

await DatabaseInitializer.InitializeAsync(app.Services);
await app.Services.GetRequiredService<OrderSnapshot>().LoadAsync(app.Services);

app.MapGet("/health", async (OrdersDbContext db, CancellationToken ct) =>
    await db.Database.CanConnectAsync(ct)
        ? Results.Ok(new { status = "ok" })
        : Results.Json(new { status = "database unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable));

app.MapOrderEndpoints();
app.MapCustomerEndpoints();

await app.RunAsync();
return 0;

/// <summary>Entry point marker for WebApplicationFactory in the tests.</summary>
public partial class Program;
