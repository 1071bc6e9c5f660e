using Assessments.Web.Common;
using Assessments.Web.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>The web role in the test's own process, configured from the same settings a test hands
/// <c>assess</c> processes (database, repositories, public URL), so the test can reach its services.</summary>
public static class InProcessWeb
{
    public static async Task<WebApplication> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var web = AssessmentsWebApplication.Build(
            [
                $"--urls={environment["Web__PublicBaseUrl"]}",
                $"--ConnectionStrings:Assessments={environment["ConnectionStrings__Assessments"]}",
                $"--Web:PublicBaseUrl={environment["Web__PublicBaseUrl"]}",
                $"--Repositories:Root={environment["Repositories__Root"]}",
                "--Logging:LogLevel:Default=Warning",
            ],
            ServerRoles.Web);
        await web.StartAsync(cancellationToken);
        return web;
    }
}
