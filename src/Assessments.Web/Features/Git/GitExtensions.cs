using Microsoft.AspNetCore.Authentication;

namespace Assessments.Web.Features.Git;

public static class GitExtensions
{
    /// <summary>The bare repositories every role and command that grades or reconciles reads:
    /// <see cref="RepositoryOptions"/> and the built-in <see cref="ICandidateRepositories"/>. Safe
    /// to call from each feature that needs them.</summary>
    public static IHostApplicationBuilder AddGitRepositories(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(BuiltInRepositories)))
        {
            return builder;
        }

        builder.Services.AddValidatedOptions<RepositoryOptions>(RepositoryOptions.Section);
        builder.Services.AddScoped<BuiltInRepositories>();
        builder.Services.AddScoped<ICandidateRepositories>(services => services.GetRequiredService<BuiltInRepositories>());
        return builder;
    }

    /// <summary>The built-in git host of the web role: the push policy, the Basic scheme and the
    /// read and push policies of <c>/git/…</c>, and the hooks written at start.</summary>
    public static IHostApplicationBuilder AddGitHost(this IHostApplicationBuilder builder)
    {
        builder.AddGitRepositories();
        builder.Services.AddSingleton(services => new PushPolicy(services.GetRequiredService<IOptions<RepositoryOptions>>().Value));
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, GitBasicAuthenticationHandler>(GitAccess.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(GitPolicies.Read, policy => policy.AddAuthenticationSchemes(GitAccess.Scheme).RequireAuthenticatedUser().AddRequirements(new GitAccessRequirement(push: false)))
            .AddPolicy(GitPolicies.Push, policy => policy.AddAuthenticationSchemes(GitAccess.Scheme).RequireAuthenticatedUser().AddRequirements(new GitAccessRequirement(push: true)));
        builder.Services.AddHostedService<GitHooksInstaller>();
        return builder;
    }
}

/// <summary>Writes the hooks into <see cref="RepositoryOptions.HooksFolder"/> when the web role
/// starts, before it takes requests (hosted services start before the server listens), so every
/// repository, old or new, runs this binary's hooks. Not at mapping time: mapping routes should
/// not touch the disk, and a test or tool that maps endpoints should not write files.</summary>
internal sealed class GitHooksInstaller(IOptions<RepositoryOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GitHooks.Install(options.Value.HooksFolder);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
