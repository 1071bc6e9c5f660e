namespace Bazaar.Api.Profiles;

/// <summary>Serves profiles through <see cref="SingleFlightProfiles"/>.</summary>
public sealed class ProfileService(SingleFlightProfiles profiles)
{
    public Task<ProfileLookup> GetAsync(long userId, CancellationToken ct) => profiles.GetAsync(userId, ct);
}
