using Hangfire;
using Hangfire.PostgreSql;

namespace Assessments.Web.Features.Jobs;

public static class JobsExtensions
{
    /// <summary>Hangfire's client and storage on the shared PostgreSQL; every role enqueues.</summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<JobsOptions>(JobsOptions.Section);

        builder.Services.AddHangfire((sp, configuration) =>
        {
            var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    storage => storage.UseNpgsqlConnection(database.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = jobs.Schema,
                        PrepareSchemaIfNecessary = true,
                        // LISTEN/NOTIFY: a job starts in tens of milliseconds instead of up to 15 s.
                        EnableLongPolling = true,
                        UseSlidingInvisibilityTimeout = true,
                        InvisibilityTimeout = jobs.InvisibilityTimeout,
                    });
        });

        builder.Services.AddScoped<WorkerProbes>();
        return builder;
    }

    /// <summary>The worker role: one Hangfire server for gradings, with its own concurrency, and
    /// one for everything else, so a long grading never holds up a deadline or a provisioning; and
    /// the recurring jobs the features declared.</summary>
    public static IHostApplicationBuilder AddJobServers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<RecurringJobsRegistration>();
        var serverName = $"{Environment.MachineName}:{Environment.ProcessId}";
        builder.Services.AddHangfireServer((sp, server) =>
        {
            server.ServerName = $"{serverName}:{JobQueues.Grading}";
            server.Queues = [JobQueues.Grading];
            server.WorkerCount = sp.GetRequiredService<IOptions<JobsOptions>>().Value.GradingConcurrency;
        });
        builder.Services.AddHangfireServer((sp, server) =>
        {
            server.ServerName = $"{serverName}:{JobQueues.Default}";
            server.Queues = [JobQueues.Default];
            server.WorkerCount = sp.GetRequiredService<IOptions<JobsOptions>>().Value.DefaultConcurrency;
        });
        return builder;
    }

    /// <summary>The Hangfire dashboard at <c>/ops/jobs</c>, for site operators only.</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder app)
    {
        app.MapHangfireDashboardWithAuthorizationPolicy(
            Account.AuthorizationPolicies.Operator,
            "/ops/jobs",
            new DashboardOptions { DashboardTitle = "Assessments jobs", DisplayStorageConnectionString = false });
        return app;
    }
}
