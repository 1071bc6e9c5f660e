namespace Bazaar.Api.Profiles;

/// <summary>Serves profiles through <see cref="ProfileFlights"/>, building with this request's builder.</summary>
public sealed class ProfileService(ProfileFlights flights, ProfileBuilder builder)
{
    public Task<ProfileLookup> GetAsync(long userId, CancellationToken ct) => flights.GetAsync(userId, builder, ct);
}
