using System.Net;
using Assessments.Web.Features.Git;

namespace Assessments.Web.Tests.Features.Git;

/// <summary>Addresses the platform fetches repositories from. Names resolve through a fake
/// resolver: no test here sends a packet or a DNS query anywhere.</summary>
public sealed class RepositoryUrlPolicyTests
{
    private static readonly Dictionary<string, IPAddress[]> Dns = new()
    {
        ["github.example"] = [IPAddress.Parse("140.82.112.3")],
        ["intranet.example"] = [IPAddress.Parse("10.1.2.3")],
        ["sneaky.example"] = [IPAddress.Parse("140.82.112.3"), IPAddress.Parse("127.0.0.1")],
        ["metadata.example"] = [IPAddress.Parse("169.254.169.254")],
        ["v6local.example"] = [IPAddress.Parse("fd00::1")],
        ["mapped.example"] = [IPAddress.Parse("::ffff:192.168.1.10")],
    };

    private readonly RepositoryUrlPolicy _policy = new(new Uri("http://127.0.0.1:8080"), (host, _) =>
        Dns.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new System.Net.Sockets.SocketException(11001));

    [Fact]
    public async Task APublicHttpsRepositoryIsAllowedAndPinnedToItsAddresses()
    {
        var allowed = await _policy.CheckAsync("https://github.example/acme/orders.git", TestContext.Current.CancellationToken);
        Assert.Equal([IPAddress.Parse("140.82.112.3")], allowed.Addresses);
        Assert.False(allowed.IsPlatform);
    }

    [Fact]
    public async Task ThePlatformsOwnGitHostIsAllowedOnItsConfiguredAddress()
    {
        var allowed = await _policy.CheckAsync("http://127.0.0.1:8080/git/acme/alice-1.git", TestContext.Current.CancellationToken);
        Assert.True(allowed.IsPlatform);
    }

    [Theory]
    [InlineData("file:///etc/passwd", "uses file://")]
    [InlineData("http://github.example/acme/orders.git", "uses http://")]
    [InlineData("ssh://github.example/acme/orders.git", "uses ssh://")]
    [InlineData("https://127.0.0.1/acme/orders.git", "127.0.0.1, which is not a public address")]
    [InlineData("https://[::1]/acme/orders.git", "::1, which is not a public address")]
    [InlineData("https://172.17.0.1/acme/orders.git", "172.17.0.1, which is not a public address")]
    [InlineData("https://intranet.example/acme/orders.git", "10.1.2.3, which is not a public address")]
    [InlineData("https://sneaky.example/acme/orders.git", "127.0.0.1, which is not a public address")]
    [InlineData("https://metadata.example/latest", "169.254.169.254, which is not a public address")]
    [InlineData("https://v6local.example/x.git", "fd00::1, which is not a public address")]
    [InlineData("https://mapped.example/x.git", "which is not a public address")]
    [InlineData("https://user:secret@github.example/acme/orders.git", "carries credentials")]
    [InlineData("http://127.0.0.1:8080/admin", "uses http://")]
    [InlineData("https://nowhere.example/x.git", "did not resolve")]
    [InlineData("orders.git", "is not an absolute URL")]
    public async Task OtherAddressesAreRefusedWithTheReason(string url, string reason)
    {
        var error = await Assert.ThrowsAsync<RepositoryUrlException>(() => _policy.CheckAsync(url, TestContext.Current.CancellationToken));
        Assert.Contains(reason, error.Message);
    }
}
