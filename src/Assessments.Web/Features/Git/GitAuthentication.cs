using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Assessments.Web.Features.Git;

/// <summary>Names of the git host's authentication scheme, claims and roles.</summary>
public static class GitAccess
{
    /// <summary>HTTP Basic against one repository: the scheme of every <c>/git/…</c> endpoint only.</summary>
    public const string Scheme = "git-basic";

    public const string Realm = "Assessments git";

    /// <summary>The repository a principal was authenticated for, <c>organisation/assessment</c>.</summary>
    public const string RepositoryClaim = "assessments:git-repository";

    public const string AssessmentIdClaim = "assessments:assessment-id";

    public const string CandidateRole = "git-candidate";

    public const string ReviewerRole = "git-reviewer";

    /// <summary>A member who reads the assessment blind: the history names the candidate as its
    /// commits' author, so no clone until their review is submitted.</summary>
    public const string BlindedReviewerRole = "git-reviewer-blinded";
}

/// <summary>The authorization policies of the <c>/git/…</c> endpoints (<see cref="GitAccessRequirement"/>).</summary>
public static class GitPolicies
{
    /// <summary>Clone and fetch: the candidate, or a member of the hiring organisation.</summary>
    public const string Read = "git-read";

    /// <summary>Push: the candidate only.</summary>
    public const string Push = "git-push";
}

/// <summary>HTTP Basic credentials for the repository the route names. A candidate's password is
/// the assessment's token (the user name is not looked at); a member of the hiring organisation
/// signs in with their email and password, and a wrong password counts towards the account's
/// lockout. The challenge is git's: without credentials (or with unreadable ones) a 401 with a
/// Basic challenge, so the client asks and tries again; with wrong ones, or for a repository that
/// does not exist, 404 alike, so nobody can tell which repositories exist.</summary>
public sealed class GitBasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AssessmentsDbContext db,
    SignInManager<User> signIns,
    IOptions<RepositoryOptions> repositories)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Credentials(Request) is not var (user, password))
        {
            return AuthenticateResult.NoResult();
        }

        if (Request.RouteValues["organisation"] is not string organisation || Request.RouteValues["assessment"] is not string slug)
        {
            return AuthenticateResult.Fail("Not a repository's address.");
        }

        var assessment = await db.Assessments.AsNoTracking()
            .SingleOrDefaultAsync(a => a.Organisation!.Slug == organisation && a.Slug == slug, Context.RequestAborted);
        if (assessment is null || !Directory.Exists(repositories.Value.PathOf(organisation, slug)))
        {
            return AuthenticateResult.Fail("No such repository.");
        }

        if (assessment.AccessTokenRevokedAt is null && AccessTokens.Matches(password, assessment.AccessTokenHash))
        {
            return Success(assessment, $"candidate-{assessment.Id:N}", GitAccess.CandidateRole);
        }

        // Not the candidate: perhaps a member of the hiring organisation, who may read unless
        // they read this assessment blind.
        if (await MemberAsync(user, password, assessment.OrganisationId) is not { } account)
        {
            return AuthenticateResult.Fail("Wrong credentials for this repository.");
        }

        var reader = await db.Assessments.AsNoTracking()
            .Where(a => a.Id == assessment.Id)
            .Select(a => new
            {
                a.Organisation!.BlindReview,
                Role = db.Memberships.Where(m => m.UserId == account.Id && m.OrganisationId == a.OrganisationId).Select(m => m.Role).First(),
                Own = db.Reviews.FirstOrDefault(r => r.AssessmentId == a.Id && r.ReviewerId == account.Id),
            })
            .SingleAsync(Context.RequestAborted);
        return Success(assessment, account.Id.ToString(), Blinding.IsBlind(reader.BlindReview, reader.Role, reader.Own) ? GitAccess.BlindedReviewerRole : GitAccess.ReviewerRole);

        AuthenticateResult Success(Assessment repository, string name, string role)
        {
            var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.NameIdentifier, name),
                    new Claim(ClaimTypes.Role, role),
                    new Claim(GitAccess.RepositoryClaim, $"{organisation}/{slug}"),
                    new Claim(GitAccess.AssessmentIdClaim, repository.Id.ToString()),
                ],
                Scheme.Name);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Credentials(Request) is null)
        {
            Response.Headers.WWWAuthenticate = $"Basic realm=\"{GitAccess.Realm}\", charset=\"UTF-8\"";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
        }
        else
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // The authenticated principals a git policy refuses: a blinded reviewer, and a reviewer pushing.
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.ContentType = "text/plain; charset=utf-8";
        return Response.WriteAsync(
            Context.User.IsInRole(GitAccess.BlindedReviewerRole)
                ? "Blind review: this repository's history names the candidate. Clone it after you submit your review.\n"
                : "Reviewers read candidates' repositories; only the candidate pushes.\n",
            Context.RequestAborted);
    }

    /// <summary>The account, when the credentials are a signed-in-able account's email and
    /// password of a member (any role) of the organisation. Failed passwords count towards the
    /// account's lockout.</summary>
    private async Task<User?> MemberAsync(string user, string password, Guid organisationId)
    {
        if (!user.Contains('@', StringComparison.Ordinal) || await signIns.UserManager.FindByEmailAsync(user) is not { } account)
        {
            return null;
        }

        var check = await signIns.CheckPasswordSignInAsync(account, password, lockoutOnFailure: true);
        return check.Succeeded && await db.Memberships.AnyAsync(m => m.UserId == account.Id && m.OrganisationId == organisationId, Context.RequestAborted)
            ? account
            : null;
    }

    /// <summary>The user name and password of HTTP Basic credentials, or null when there are none
    /// or they cannot be read (no colon, an empty password, not base64).</summary>
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
}

/// <summary>What the git policies require: a principal authenticated for the repository the route
/// names and, to push, the candidate. The ref advertisement of a push
/// (<c>info/refs?service=git-receive-pack</c>) is a push's first request, so it needs push access
/// too: a reviewer is told 403 before sending a pack.</summary>
public sealed class GitAccessRequirement(bool push) : AuthorizationHandler<GitAccessRequirement, HttpContext>, IAuthorizationRequirement
{
    public bool Push { get; } = push;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GitAccessRequirement requirement, HttpContext resource)
    {
        var route = resource.Request.RouteValues;
        var pushing = requirement.Push || resource.Request.Query["service"] == "git-receive-pack";
        if (context.User.HasClaim(GitAccess.RepositoryClaim, $"{route["organisation"]}/{route["assessment"]}")
            && !context.User.IsInRole(GitAccess.BlindedReviewerRole)
            && (!pushing || context.User.IsInRole(GitAccess.CandidateRole)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
