using Assessments.Web.Features.Security;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Assessments.Web.Features.Git;

/// <summary>The built-in git host: smart HTTP at <c>/git/{org}/{assessment}.git</c>, served by
/// <c>git http-backend</c>. Who may read or push is the <see cref="GitAccess.Scheme"/>
/// authentication scheme's and the git policies' (<see cref="GitBasicAuthenticationHandler"/>);
/// whether a push counts is <see cref="PushPolicy"/>'s, applied by the pre-receive hook
/// (<see cref="GitHooks"/>); an accepted push of the default branch becomes a submission. Only the
/// smart protocol is routed: a file of the bare repository by its path is 404.</summary>
public static class GitHostEndpoints
{
    public static IEndpointRouteBuilder MapGitHost(this IEndpointRouteBuilder app)
    {
        var repository = app.MapGroup("/git/{organisation}/{assessment}.git").ExcludeFromDescription().RequireRateLimiting(RateLimitPolicies.Git);
        repository.MapGet("/info/refs", AdvertiseAsync).RequireAuthorization(GitPolicies.Read);
        repository.MapPost("/git-upload-pack", UploadPackAsync).RequireAuthorization(GitPolicies.Read);
        repository.MapPost("/git-receive-pack", ReceivePackAsync).RequireAuthorization(GitPolicies.Push);
        return app;
    }

    /// <summary>What each git request needs besides its route.</summary>
    internal sealed record GitServices(
        HttpContext Context,
        AssessmentsDbContext Db,
        IPushRecorder Recorder,
        IOptions<RepositoryOptions> Options,
        ILoggerFactory Loggers,
        CancellationToken CancellationToken);

    /// <summary>The refs and capabilities a clone, fetch or push starts with (the
    /// <c>git-receive-pack</c> advertisement needs push access: <see cref="GitAccessRequirement"/>).</summary>
    private static async Task<Results<NotFound, EmptyHttpResult>> AdvertiseAsync(string organisation, string assessment, string? service, [AsParameters] GitServices services)
    {
        if (service is not ("git-upload-pack" or "git-receive-pack"))
        {
            // The dumb protocol's listing: not offered.
            return TypedResults.NotFound();
        }

        await ServeAsync(services, organisation, assessment, "info/refs", pushing: false);
        return TypedResults.Empty;
    }

    private static async Task<EmptyHttpResult> UploadPackAsync(string organisation, string assessment, [AsParameters] GitServices services)
    {
        await ServeAsync(services, organisation, assessment, "git-upload-pack", pushing: false);
        return TypedResults.Empty;
    }

    private static async Task<EmptyHttpResult> ReceivePackAsync(string organisation, string assessment, [AsParameters] GitServices services)
    {
        if (services.Context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // The pack's own limit is git's (receive.maxInputSize), with room for the ref commands.
            limit.MaxRequestBodySize = services.Options.Value.MaxPushBytes + (1 << 20);
        }

        await ServeAsync(services, organisation, assessment, "git-receive-pack", pushing: true);
        return TypedResults.Empty;
    }

    /// <summary>Runs git http-backend for the request; after a push that moved the default branch,
    /// records the new head.</summary>
    private static async Task ServeAsync(GitServices services, string organisation, string assessment, string path, bool pushing)
    {
        var (context, settings, cancellationToken) = (services.Context, services.Options.Value, services.CancellationToken);
        var id = Guid.Parse(context.User.FindFirst(GitAccess.AssessmentIdClaim)!.Value);
        var repository = await services.Db.Assessments.AsNoTracking().SingleAsync(a => a.Id == id, cancellationToken);
        var environment = PushEnvironment(repository, settings);
        // Where the post-receive hook writes the refs this push moved, if it moved any.
        var record = Path.Combine(Path.GetTempPath(), $"assessments-push-{Guid.NewGuid():N}");
        environment["ASSESSMENTS_PUSH_RECORD"] = record;
        try
        {
            var logger = services.Loggers.CreateLogger(typeof(GitHostEndpoints));
            await GitHttpBackend.ServeAsync(context, Path.Combine(settings.Root, organisation), $"/{assessment}.git/{path}", environment, logger, cancellationToken);
            if (pushing && MovedHead(record, settings.DefaultBranch) is { } head)
            {
                // The client gets its whole answer first; the push is git's now, and this records
                // it (reconciliation records it later if this process dies first).
                await context.Response.CompleteAsync();
                await services.Recorder.RecordPushAsync(repository.Id, head, settings.DefaultBranch, CancellationToken.None);
            }
        }
        finally
        {
            File.Delete(record);
        }
    }

    /// <summary>The commit the push moved the default branch to, from the post-receive hook's
    /// record; null when it moved nothing there.</summary>
    private static string? MovedHead(string record, string branch)
    {
        if (!File.Exists(record))
        {
            return null;
        }

        return File.ReadAllLines(record)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length == 3 && parts[2] == $"refs/heads/{branch}" && parts[1].Any(c => c != '0'))
            .Select(parts => parts[1])
            .LastOrDefault();
    }

    /// <summary>What git and the pre-receive hook get: the hooks folder and size limit as git
    /// configuration, and the assessment's push policy.</summary>
    internal static Dictionary<string, string> PushEnvironment(Assessment assessment, RepositoryOptions settings)
    {
        var environment = new PushPolicy(settings).HookEnvironment(assessment);
        environment["REMOTE_USER"] = $"candidate-{assessment.Id:N}";
        environment["GIT_CONFIG_COUNT"] = "3";
        environment["GIT_CONFIG_KEY_0"] = "core.hooksPath";
        environment["GIT_CONFIG_VALUE_0"] = settings.HooksFolder;
        environment["GIT_CONFIG_KEY_1"] = "receive.maxInputSize";
        environment["GIT_CONFIG_VALUE_1"] = settings.MaxPushBytes.ToString(CultureInfo.InvariantCulture);
        environment["GIT_CONFIG_KEY_2"] = "http.receivepack";
        environment["GIT_CONFIG_VALUE_2"] = "true";
        return environment;
    }
}
