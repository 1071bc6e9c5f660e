using Microsoft.EntityFrameworkCore;
using Shipping.Api.Data;
using Shipping.Api.Shipments;

// Content root = the build output, so appsettings.json is found whatever the working directory is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

var connectionString = builder.Configuration.GetConnectionString("Shipping")
    ?? throw new InvalidOperationException("ConnectionStrings:Shipping is not set (environment variable ConnectionStrings__Shipping).");

builder.Services.AddDbContext<ShippingDbContext>(o => o.UseNpgsql(connectionString));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<ShipmentSearch>();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

await DatabaseInitializer.InitializeAsync(app.Services);
await SearchIndex.EnsureAsync(app.Services);

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapShipments();

app.Run();

public partial class Program;
