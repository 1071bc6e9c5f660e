using Assessments.Web.Features.Git;
using Assessments.Web.Features.Submissions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Assessments.Web.Features.GitHub;

public static class GitHubExtensions
{
    /// <summary>GitHub-hosted repositories: the Octokit client with its retrying handler,
    /// provisioning, and access changes at close. Unconfigured (no GitHub:Token) it stays
    /// harmless: only an organisation that chose GitHub needs it, and is told what to set.</summary>
    public static IHostApplicationBuilder AddGitHub(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GitHubOptions>(GitHubOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(GitHubClients.HttpClientName)
            .AddResilienceHandler("github-retries", (pipeline, context) =>
                GitHubClients.ConfigureRetries(
                    pipeline,
                    context.ServiceProvider.GetRequiredService<IOptions<GitHubOptions>>().Value,
                    context.ServiceProvider.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<GitHubClients>();
        builder.Services.AddScoped<GitHubRepositories>();
        builder.Services.AddScoped<GitHubProvisioningJob>();
        builder.Services.AddSingleton<IOutboxHandler, ProvisioningMessages>();
        builder.Services.AddScoped<GitHubCandidateRepositories>();
        builder.Services.AddScoped<ICandidateRepositories>(services => services.GetRequiredService<GitHubCandidateRepositories>());
        return builder;
    }
}
