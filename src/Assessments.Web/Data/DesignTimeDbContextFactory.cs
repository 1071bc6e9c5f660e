using Microsoft.EntityFrameworkCore.Design;

namespace Assessments.Web.Data;

/// <summary>Lets <c>dotnet ef</c> build the model without starting the command line or a server.
/// The connection string is never opened when adding a migration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AssessmentsDbContext>
{
    public AssessmentsDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Assessments")
            ?? "Host=127.0.0.1;Database=assessments_design;Username=postgres";
        var options = new DbContextOptionsBuilder<AssessmentsDbContext>()
            .UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention()
            .Options;
        return new AssessmentsDbContext(options);
    }
}
