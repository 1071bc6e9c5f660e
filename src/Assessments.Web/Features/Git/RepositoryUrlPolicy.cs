using System.Net;
using System.Net.Sockets;

namespace Assessments.Web.Features.Git;

/// <summary>A repository address the platform may fetch from, with the addresses its host resolved
/// to at check time (git is pinned to them, so a name cannot resolve elsewhere a moment later).</summary>
public sealed record AllowedRepositoryUrl(Uri Url, IReadOnlyList<IPAddress> Addresses, bool IsPlatform);

/// <summary>Checks an address before the platform fetches from it: https only, no <c>file://</c>,
/// no host that resolves to loopback, private, link-local, shared or otherwise non-public space —
/// except the platform's own base URL (its built-in git host), which is reachable on whatever it
/// is configured.</summary>
public sealed class RepositoryUrlPolicy(Uri platformBaseUrl, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
{
    /// <summary>A policy that resolves names with the system resolver.</summary>
    public static RepositoryUrlPolicy WithSystemResolver(Uri platformBaseUrl) =>
        new(platformBaseUrl, (host, ct) => Dns.GetHostAddressesAsync(host, ct));

    /// <exception cref="RepositoryUrlException">Says which rule the address breaks.</exception>
    public async Task<AllowedRepositoryUrl> CheckAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new RepositoryUrlException($"'{url}' is not an absolute URL.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new RepositoryUrlException($"'{Redacted(uri)}' carries credentials in the URL; the platform supplies its own.");
        }

        if (IsPlatform(uri))
        {
            return new AllowedRepositoryUrl(uri, [], IsPlatform: true);
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new RepositoryUrlException($"'{Redacted(uri)}' uses {uri.Scheme}://; repositories are fetched over https:// only.");
        }

        var addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await ResolveAsync(uri, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new RepositoryUrlException($"'{uri.Host}' did not resolve to any address.");
        }

        if (addresses.FirstOrDefault(a => !IsPublic(a)) is { } blocked)
        {
            throw new RepositoryUrlException($"'{uri.Host}' resolves to {blocked}, which is not a public address; the platform fetches only from public hosts and its own git host.");
        }

        return new AllowedRepositoryUrl(uri, addresses, IsPlatform: false);
    }

    private async Task<IPAddress[]> ResolveAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await resolve(uri.IdnHost, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new RepositoryUrlException($"'{uri.Host}' did not resolve: {e.Message}");
        }
    }

    private bool IsPlatform(Uri uri) =>
        uri.Scheme == platformBaseUrl.Scheme
        && string.Equals(uri.IdnHost, platformBaseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && uri.Port == platformBaseUrl.Port
        && uri.AbsolutePath.StartsWith("/git/", StringComparison.Ordinal);

    /// <summary>False for every range that is not the public internet: loopback, RFC 1918, CGNAT,
    /// link-local, unique-local, multicast, documentation, benchmarking, "this network", and IPv6
    /// forms that embed an IPv4 address of those.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] is >= 64 and <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 192 && b[1] == 88 && b[2] == 99)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xfe) == 0xfc // unique local fc00::/7
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // documentation
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) // NAT64 embeds IPv4
                || (b[0] == 0x20 && b[1] == 0x02)); // 6to4 embeds IPv4
        }

        return false;
    }

    private static string Redacted(Uri uri) => new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
}

/// <summary>A repository address the platform refuses to fetch from; the message says why.</summary>
public sealed class RepositoryUrlException(string message) : Exception(message);
