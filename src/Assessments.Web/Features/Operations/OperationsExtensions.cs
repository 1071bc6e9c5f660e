using System.Security.Cryptography;
using System.Text;
using Hangfire;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Assessments.Web.Features.Operations;

public static class OperationsExtensions
{
    /// <summary>OpenTelemetry for every server process: metrics of ASP.NET Core, HttpClient (Octokit
    /// goes through it), Npgsql, the runtime and the product's own meter, scraped at
    /// <c>/metrics</c>; traces of the same, Hangfire jobs and sandbox stages, exported over OTLP when
    /// an endpoint is configured (without one nothing would read them, so none are made). And the
    /// sampler that keeps the day's history for <c>/ops</c>.</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder, ServerRoles roles)
    {
        builder.Services.AddValidatedOptions<OperationsOptions>(OperationsOptions.Section);
        builder.Services.AddSingleton<OperationsMetrics>();
        builder.Services.AddSingleton<OperationsSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperationsSampler>());
        builder.Services.AddScoped<OperationsHistory>();
        // Hangfire keeps its filters in one static list, read by whichever server performs a job;
        // a second host in the same process (a test's) must not trace every job twice.
        if (!GlobalJobFilters.Filters.Any(f => f.Instance is JobTracingFilter))
        {
            GlobalJobFilters.Filters.Add(new JobTracingFilter());
        }

        var configured = builder.Configuration.GetSection(OperationsOptions.Section).Get<OperationsOptions>() ?? new OperationsOptions();
        // Set here, the endpoint and protocol are ours; from OTEL_EXPORTER_OTLP_* alone, the exporter
        // reads them itself (and adds the signal's path for http/protobuf).
        var otlp = configured.OtlpEndpoint ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        void Otlp(OtlpExporterOptions exporter, string signal)
        {
            if (configured.OtlpEndpoint is not { Length: > 0 } endpoint)
            {
                return;
            }

            var http = configured.OtlpProtocol == "http/protobuf";
            exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            exporter.Endpoint = new Uri(http ? $"{endpoint.TrimEnd('/')}/v1/{signal}" : endpoint);
        }

        var service = roles.HasFlag(ServerRoles.Web) ? roles.HasFlag(ServerRoles.Worker) ? "assessments" : "assessments-web" : "assessments-worker";
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(service, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(OperationsTelemetry.Name, "Npgsql")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    // No cached answer: two scrapes a second apart must not read the same figures.
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is { Length: > 0 })
                {
                    metrics.AddOtlpExporter(exporter => Otlp(exporter, "metrics"));
                }
            });
        if (otlp is { Length: > 0 })
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(OperationsTelemetry.Name, "Npgsql")
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(exporter => Otlp(exporter, "traces")));
        }

        return builder;
    }

    /// <summary><c>/metrics</c> for a Prometheus scrape that sends <see cref="OperationsOptions.ScrapeToken"/>
    /// as its bearer token; not served without one. The token is checked by a middleware in front
    /// of the exporter's endpoint: endpoint filters only run for route handlers, and the exporter's
    /// is a plain request delegate that would skip one silently.</summary>
    public static WebApplication MapMetricsScrape(this WebApplication app)
    {
        var token = app.Services.GetRequiredService<IOptions<OperationsOptions>>().Value.ScrapeToken;
        if (token is not { Length: > 0 })
        {
            return app;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes($"Bearer {token}"));
        app.UseWhen(context => context.Request.Path.StartsWithSegments(MetricsPath), scrape => scrape.Use(async (context, next) =>
        {
            var sent = SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()));
            if (!CryptographicOperations.FixedTimeEquals(sent, expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsync("Send Operations:ScrapeToken as a bearer token.\n", context.RequestAborted);
                return;
            }

            await next(context);
        }));
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        return app;
    }

    private const string MetricsPath = "/metrics";

    /// <summary>Scrapes and health probes: frequent, and nothing anyone would trace.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
