using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace Assessments.Web.Data;

public static class DataExtensions
{
    /// <summary>The DbContext on PostgreSQL, and ASP.NET Core Data Protection keys stored in it so
    /// that every web and worker process can open what another protected.</summary>
    public static IHostApplicationBuilder AddAssessmentsDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.ConnectionString = configuration.GetConnectionString("Assessments");
                options.MigrateOnStart = configuration.GetValue<bool>("Database:MigrateOnStart");
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return new NpgsqlDataSourceBuilder(options.ConnectionString).Build();
        });

        builder.Services.AddDbContext<AssessmentsDbContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention());

        builder.Services.AddDataProtection()
            .SetApplicationName("Assessments")
            .PersistKeysToDbContext<AssessmentsDbContext>();

        return builder;
    }
}
