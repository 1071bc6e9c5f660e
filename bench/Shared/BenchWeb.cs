using Assessments.Web.Common;
using Assessments.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

/// <summary>The web role in the benchmark's own process on Kestrel, on a free loopback port, with
/// warnings and worse logged. Linked into each whole-flow benchmark that measures it.</summary>
internal static class BenchWeb
{
    /// <summary>Starts it on <paramref name="connectionString"/>'s database; returns it and its address.</summary>
    public static async Task<(WebApplication App, string Address)> StartAsync(string connectionString)
    {
        var app = AssessmentsWebApplication.Build(
            [
                "--urls=http://127.0.0.1:0",
                $"--ConnectionStrings:Assessments={connectionString}",
                "--Web:PublicBaseUrl=https://assess.example.test",
                "--Logging:LogLevel:Default=Warning",
                $"--Repositories:Root={Directory.CreateTempSubdirectory("bench-repos-").FullName}",
            ],
            ServerRoles.Web);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
    }
}
