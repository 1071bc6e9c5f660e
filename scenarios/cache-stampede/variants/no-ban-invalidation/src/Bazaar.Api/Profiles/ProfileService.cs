namespace Bazaar.Api.Profiles;

/// <summary>Serves profiles through <see cref="ProfileCache"/>: at most one build per member at a
/// time, jittered expiry, eviction on ban.</summary>
public sealed class ProfileService(ProfileCache cache, ProfileBuilder builder, ILogger<ProfileService> logger)
{
    public Task<ProfileLookup> GetAsync(long userId, CancellationToken ct) =>
        cache.GetOrBuildAsync(userId, token =>
        {
            logger.LogInformation("Profile cache miss for user {UserId}; building", userId);
            return builder.BuildAsync(userId, token);
        }, ct);
}
