using Bazaar.Api.Data;
using Bazaar.Api.Profiles;
using Microsoft.EntityFrameworkCore;

namespace Bazaar.Api.Users;

public sealed record BanRequest(string? Reason);

public sealed record ListingSummary(long Id, string Title, int PriceCents, DateTime CreatedAt);

public static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/users/{id:long}/profile", async (long id, ProfileService profiles, CancellationToken ct) =>
        {
            ProfileLookup lookup;
            try
            {
                lookup = await profiles.GetAsync(id, ct);
            }
            catch (ProfileSourceUnavailableException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Profile temporarily unavailable", detail: e.Message);
            }

            return lookup.Status switch
            {
                ProfileLookupStatus.Found => Results.Ok(lookup.Profile),
                // Banned members are indistinguishable from members that do not exist.
                _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Profile not found"),
            };
        });

        app.MapGet("/users/{id:long}/listings", async (long id, BazaarDbContext db, CancellationToken ct) =>
        {
            var seller = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.BannedAt }).SingleOrDefaultAsync(ct);
            if (seller is null || seller.BannedAt is not null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Seller not found");
            }

            var listings = await db.Listings.AsNoTracking()
                .Where(l => l.SellerId == id && l.Status == ListingStatus.Active)
                .OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id)
                .Take(50)
                .Select(l => new ListingSummary(l.Id, l.Title, l.PriceCents, l.CreatedAt))
                .ToListAsync(ct);
            return Results.Ok(listings);
        });

        // Internal: called by the Trust & Safety console through the admin gateway.
        var admin = app.MapGroup("/admin/users/{id:long}");

        admin.MapPost("/ban", async (long id, BanRequest? request, BazaarDbContext db, ProfileService profiles, TimeProvider clock, ILoggerFactory logs, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var updated = await db.Users.Where(u => u.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.BannedAt, u => u.BannedAt ?? now).SetProperty(u => u.BanReason, request == null ? null : request.Reason), ct);
            if (updated == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found");
            }

            await profiles.EvictAsync(id);
            logs.CreateLogger("Bazaar.Api.Admin").LogInformation("User {UserId} banned", id);
            return Results.NoContent();
        });

        admin.MapPost("/unban", async (long id, BazaarDbContext db, ILoggerFactory logs, CancellationToken ct) =>
        {
            var updated = await db.Users.Where(u => u.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.BannedAt, (DateTime?)null).SetProperty(u => u.BanReason, (string?)null), ct);
            if (updated == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found");
            }

            logs.CreateLogger("Bazaar.Api.Admin").LogInformation("User {UserId} unbanned", id);
            return Results.NoContent();
        });
    }
}
