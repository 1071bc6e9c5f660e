using System.Text.Json;
using Assessments.Web.Features.Account;
using Assessments.Web.Features.Sandbox;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assessments.Web.Features.Health;

public static class HealthExtensions
{
    private const string Ready = "ready";

    /// <summary>Readiness checks for the roles this process runs: PostgreSQL always, the Docker
    /// engine only where gradings run.</summary>
    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder, ServerRoles roles)
    {
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: [Ready]);

        if (roles.HasFlag(ServerRoles.Worker))
        {
            builder.AddSandbox();
            checks.AddCheck<DockerEngineHealthCheck>("docker", tags: [Ready]);
            checks.AddCheck<SandboxIsolationHealthCheck>("sandbox", tags: [Ready]);
        }

        return builder;
    }

    /// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: it can do its work (503 if
    /// not), as JSON: the status alone for anyone, and each check's status, reason and data for a
    /// signed-in operator (the isolation details say how the sandbox is built; a prober needs none).</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteReport,
        }).AllowAnonymous();
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        if (report.Status != HealthStatus.Healthy)
        {
            // A worker has no operators signed in: its log is where the reason is read.
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Assessments.Health");
            foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
            {
                logger.LogWarning("Not ready: {Check} is {Status}: {Description}", name, entry.Status, entry.Description);
            }
        }

        if (!context.User.HasClaim(AccountClaims.Operator, "true"))
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }, JsonSerializerOptions.Web));
        }

        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description,
                    durationMs = e.Value.Duration.TotalMilliseconds,
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
