namespace Bazaar.Api.Profiles;

/// <summary>Development only: a stand-in for the Identity team's profile service, so the API runs
/// on a laptop (appsettings.Development.json points ProfileSource:BaseUrl here). Never mapped in
/// other environments.</summary>
public static class DevProfileSource
{
    public static void MapDevProfileSource(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dev/profile-source/users/{id:long}", async (long id, CancellationToken ct) =>
        {
            await Task.Delay(150, ct); // roughly the real service's p50
            return Results.Ok(new SourceProfile(id, $"Member #{id}", "Collector of things.", $"https://cdn.example.test/avatars/{id}.jpg", id % 5 == 0 ? ["top-seller"] : []));
        });
    }
}
