using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Assessments.Web.Data;
using Assessments.Web.Features.Submissions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Features.Git;

/// <summary>The built-in git host: smart HTTP at <c>/git/{org}/{assessment}.git</c>, served by
/// <c>git http-backend</c>. A candidate authenticates with HTTP Basic and their assessment's token
/// (any user name); members of the hiring organisation read (never push) with their email and
/// password. Without credentials the answer is 401 for every path, so a client knows to send
/// them; with wrong ones, or for a repository that does not exist, it is 404 alike, so nobody can
/// tell which repositories exist. The push policy is the pre-receive hook's
/// (<see cref="GitHooks"/>); an accepted push of the default branch becomes a submission.</summary>
public static class GitHostEndpoints
{
    private const string Realm = "Assessments git";

    public static IEndpointRouteBuilder MapGitHost(this IEndpointRouteBuilder app)
    {
        GitHooks.Install(app.ServiceProvider.GetRequiredService<IOptions<RepositoryOptions>>().Value.HooksFolder);
        app.MapMethods("/git/{organisation}/{assessment}.git/{**path}", [HttpMethods.Get, HttpMethods.Post], ServeAsync)
            .ExcludeFromDescription();
        return app;
    }

    private static async Task ServeAsync(
        HttpContext context,
        string organisation,
        string assessment,
        string? path,
        AssessmentsDbContext db,
        SubmissionRecorder recorder,
        SignInManager<User> signIns,
        IOptions<RepositoryOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(GitHostEndpoints));
        var service = Service(context.Request, path);
        if (service is null)
        {
            // The dumb protocol and anything else git-http-backend would serve: not offered.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (Credentials(context.Request) is not var (user, token))
        {
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var repository = await db.Assessments.AsNoTracking()
            .SingleOrDefaultAsync(a => a.Organisation!.Slug == organisation && a.Slug == assessment, cancellationToken);
        var settings = options.Value;
        if (repository is null || !Directory.Exists(settings.PathOf(organisation, assessment)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var pushing = service == "git-receive-pack";
        var candidate = repository.AccessTokenRevokedAt is null && AccessTokens.Matches(token, repository.AccessTokenHash);
        if (!candidate)
        {
            // Not the candidate: perhaps a member of the hiring organisation, who may read.
            if (!await IsMemberAsync(db, signIns, user, token, repository.OrganisationId, cancellationToken))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            if (pushing)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("Reviewers read candidates' repositories; only the candidate pushes.\n", cancellationToken);
                return;
            }
        }

        if (pushing && context.Request.Method == HttpMethods.Post && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // The pack's own limit is git's (receive.maxInputSize), with room for the ref commands.
            limit.MaxRequestBodySize = settings.MaxPushBytes + (1 << 20);
        }

        var environment = PushEnvironment(repository, settings);
        // Where the post-receive hook writes the refs this push moved, if it moved any.
        var record = Path.Combine(Path.GetTempPath(), $"assessments-push-{Guid.NewGuid():N}");
        environment["ASSESSMENTS_PUSH_RECORD"] = record;
        try
        {
            await GitHttpBackend.ServeAsync(context, Path.Combine(settings.Root, organisation), $"/{assessment}.git/{path}", environment, logger, cancellationToken);
            if (pushing && MovedHead(record, settings.DefaultBranch) is { } head)
            {
                // The client gets its whole answer first; the push is git's now, and this records
                // it (reconciliation records it later if this process dies first).
                await context.Response.CompleteAsync();
                await recorder.RecordAsync(repository.Id, head, settings.DefaultBranch, SubmissionSource.BuiltInPush, CancellationToken.None);
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

    /// <summary>The git service a request is for, or null when it is not a smart-HTTP request.</summary>
    private static string? Service(HttpRequest request, string? path) =>
        (request.Method, path) switch
        {
            ("GET", "info/refs") => request.Query["service"].ToString() switch
            {
                "git-upload-pack" => "git-upload-pack",
                "git-receive-pack" => "git-receive-pack",
                _ => null,
            },
            ("POST", "git-upload-pack" or "git-receive-pack") => path,
            _ => null,
        };

    /// <summary>Whether the credentials are a signed-in-able account's email and password, of a
    /// member (any role) of the organisation. Failed passwords count towards the account's lockout.</summary>
    private static async Task<bool> IsMemberAsync(AssessmentsDbContext db, SignInManager<User> signIns, string user, string password, Guid organisationId, CancellationToken cancellationToken)
    {
        if (!user.Contains('@', StringComparison.Ordinal) || await signIns.UserManager.FindByEmailAsync(user) is not { } account)
        {
            return false;
        }

        var check = await signIns.CheckPasswordSignInAsync(account, password, lockoutOnFailure: true);
        return check.Succeeded
            && await db.Memberships.AnyAsync(m => m.UserId == account.Id && m.OrganisationId == organisationId, cancellationToken);
    }

    /// <summary>The user name and password of HTTP Basic credentials: a candidate's user name is
    /// not looked at (the token is the credential); a reviewer's is their email.</summary>
    private static (string User, string Password)? Credentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return null;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && colon < pair.Length - 1 ? (pair[..colon], pair[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>What git and the pre-receive hook get: the hooks folder and size limit as git
    /// configuration, and the assessment's push policy.</summary>
    internal static Dictionary<string, string> PushEnvironment(Assessment assessment, RepositoryOptions settings)
    {
        var closesAt = assessment.EffectiveDeadline;
        var refuse = assessment.Status switch
        {
            AssessmentStatus.Invited => "this assessment has not started yet: open your invitation and press start first.",
            AssessmentStatus.Started => null,
            _ => "this assessment is closed; pushes are no longer accepted.",
        };
        return new Dictionary<string, string>
        {
            ["REMOTE_USER"] = $"candidate-{assessment.Id:N}",
            ["GIT_CONFIG_COUNT"] = "3",
            ["GIT_CONFIG_KEY_0"] = "core.hooksPath",
            ["GIT_CONFIG_VALUE_0"] = settings.HooksFolder,
            ["GIT_CONFIG_KEY_1"] = "receive.maxInputSize",
            ["GIT_CONFIG_VALUE_1"] = settings.MaxPushBytes.ToString(CultureInfo.InvariantCulture),
            ["GIT_CONFIG_KEY_2"] = "http.receivepack",
            ["GIT_CONFIG_VALUE_2"] = "true",
            ["ASSESSMENTS_REFUSE"] = refuse ?? "",
            ["ASSESSMENTS_CLOSES_AT"] = closesAt?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) ?? "",
            ["ASSESSMENTS_CLOSES_AT_TEXT"] = closesAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "",
            ["ASSESSMENTS_BRANCH"] = settings.DefaultBranch,
            ["ASSESSMENTS_OTHER_BRANCHES"] = settings.AllowOtherBranches ? "allow" : "refuse",
            ["ASSESSMENTS_FORCE_PUSH"] = settings.AllowForcePush ? "allow" : "refuse",
            ["ASSESSMENTS_MAX_REPOSITORY_KB"] = (settings.MaxRepositoryBytes / 1024).ToString(CultureInfo.InvariantCulture),
        };
    }
}
