namespace Bazaar.Api.Profiles;

public sealed class ProfileCacheOptions
{
    /// <summary>How long a built profile may be served before it is rebuilt (config: ProfileCache:Ttl).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each entry lives Ttl × (1 ± Jitter), drawn per entry, so entries cached together
    /// (after a deploy, a popular listing page) do not all expire in the same instant
    /// (config: ProfileCache:Jitter, a fraction between 0 and 0.5).</summary>
    public double Jitter { get; set; } = 0.2;
}
