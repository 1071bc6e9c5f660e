using Bazaar.Api.Data;
using Bazaar.Api.Profiles;
using Bazaar.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

// appsettings.json (and its log levels) from the publish folder, whatever folder the service is
// started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

var connectionString = builder.Configuration.GetConnectionString("Bazaar");
if (string.IsNullOrWhiteSpace(connectionString))
{
    throw new InvalidOperationException("ConnectionStrings:Bazaar is not set (environment variable ConnectionStrings__Bazaar).");
}

builder.Services.AddDbContext<BazaarDbContext>(o => o.UseNpgsql(connectionString));
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMemoryCache();

builder.Services.Configure<ProfileCacheOptions>(builder.Configuration.GetSection("ProfileCache"));
builder.Services.Configure<ProfileSourceOptions>(builder.Configuration.GetSection("ProfileSource"));
builder.Services.AddHttpClient<ProfileSourceClient>((sp, http) =>
{
    var source = sp.GetRequiredService<IOptions<ProfileSourceOptions>>().Value;
    if (string.IsNullOrWhiteSpace(source.BaseUrl))
    {
        throw new InvalidOperationException("ProfileSource:BaseUrl is not set (environment variable ProfileSource__BaseUrl).");
    }

    http.BaseAddress = new Uri(source.BaseUrl.TrimEnd('/') + "/");
    http.Timeout = source.Timeout;
});
builder.Services.AddSingleton<ProfileCache>();
builder.Services.AddScoped<ProfileBuilder>();
builder.Services.AddScoped<ProfileService>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapUserEndpoints();
if (app.Environment.IsDevelopment())
{
    app.MapDevProfileSource();
}

await DatabaseSetup.MigrateAndSeedAsync(app.Services);
var cacheOptions = app.Services.GetRequiredService<IOptions<ProfileCacheOptions>>().Value;
app.Logger.LogInformation("Profile cache TTL is {Ttl} ± {Jitter:P0}", cacheOptions.Ttl, cacheOptions.Jitter);

app.Run();

public partial class Program;
