using Assessments.Web.Features.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Tests.Features.GitHub;

/// <summary>The real GitHub, when a token and an organisation are given: the client the platform
/// builds (retry handler and all) reads the organisation and the token's rights on it. It
/// changes nothing there.</summary>
public sealed class GitHubLiveTests
{
    [Fact]
    public async Task TheConfiguredTokenCanAdministerTheConfiguredOrganisationsRepositories()
    {
        var token = Environment.GetEnvironmentVariable("ASSESSMENTS_GITHUB_TOKEN");
        var organisation = Environment.GetEnvironmentVariable("ASSESSMENTS_GITHUB_ORG");
        if (string.IsNullOrWhiteSpace(token) || string.IsNullOrWhiteSpace(organisation))
        {
            Assert.Skip("Skipped: set ASSESSMENTS_GITHUB_TOKEN and ASSESSMENTS_GITHUB_ORG (and ASSESSMENTS_GITHUB_API_URL for GitHub Enterprise Server) to run against the real GitHub; the fake-GitHub tests cover the same calls here.");
        }

        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddHttpClient(GitHubClients.HttpClientName)
            .AddResilienceHandler("github-retries", (pipeline, _) => GitHubClients.ConfigureRetries(pipeline, new GitHubOptions(), TimeProvider.System));
        var options = new GitHubOptions
        {
            Token = token,
            ApiUrl = new Uri(Environment.GetEnvironmentVariable("ASSESSMENTS_GITHUB_API_URL") ?? "https://api.github.com/"),
        };
        await using var provider = services.BuildServiceProvider();
        var github = new GitHubClients(Options.Create(options), provider.GetRequiredService<IHttpMessageHandlerFactory>()).Create();

        var org = await github.Organization.Get(organisation);
        Assert.Equal(organisation, org.Login, StringComparer.OrdinalIgnoreCase);
        var membership = await github.Organization.Member.GetOrganizationMembership(organisation, (await github.User.Current()).Login);
        Assert.Equal("admin", membership.Role.StringValue);
    }
}
