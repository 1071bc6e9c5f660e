using Microsoft.EntityFrameworkCore;
using Storefront.Api.Data;
using Storefront.Api.Email;
using Storefront.Api.Orders;
using Storefront.Api.Payments;

// Content root = the build output, so appsettings.json is found whatever the working directory is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

var connectionString = builder.Configuration.GetConnectionString("Shop")
    ?? throw new InvalidOperationException("ConnectionStrings:Shop is not set (environment variable ConnectionStrings__Shop).");

builder.Services.AddDbContext<ShopDbContext>(o => o.UseNpgsql(connectionString));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddEmailProvider(builder.Configuration);
builder.Services.AddScoped<PaymentConfirmationService>();
builder.Services.Configure<OutboxOptions>(builder.Configuration.GetSection(OutboxOptions.Section));
builder.Services.AddSingleton<OutboxSignal>();
builder.Services.AddHostedService<OutboxDispatcher>();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

await DatabaseInitializer.InitializeAsync(app.Services);

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapOrders();
app.MapPaymentWebhooks();

app.Run();

public partial class Program;
