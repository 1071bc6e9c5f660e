namespace Assessments.Web.CommandLine;

/// <summary>A small host for commands that work without serving: the same configuration sources as a
/// server (appsettings.json beside the binary, environment variables).</summary>
public static class CommandHost
{
    /// <summary>Configuration and the options <paramref name="configure"/> registers, validated; no database.</summary>
    public static IHost StartHost(Action<IHostApplicationBuilder>? configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Standard output is the command's answer (JSON with --json); logs go to standard error.
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        configure?.Invoke(builder);

        var host = builder.Build();
        StartupChecks.ValidateOptions(host.Services);
        return host;
    }

    public static async Task<IHost> StartDatabaseHostAsync(Action<IHostApplicationBuilder>? configure, CancellationToken cancellationToken)
    {
        var host = StartHost(builder =>
        {
            // EF logs the expected failed probe of "__EFMigrationsHistory" on an empty database as an
            // error; commands report their own failures, so its command log is noise here.
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
            builder.AddAssessmentsDatabase();
            configure?.Invoke(builder);
        });
        await StartupChecks.EnsureDatabaseReachableAsync(host.Services, cancellationToken);
        return host;
    }
}
