namespace Bazaar.Api.Profiles;

public sealed class ProfileCacheOptions
{
    /// <summary>How long a built profile may be served before it is rebuilt (config: ProfileCache:Ttl).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);
}
