using System.Security.Claims;

namespace Assessments.Web.Features.Account;

/// <summary>What a signed-in member may reach: the assessments of the organisations they belong
/// to, whatever their role there. Every reviewer query starts here, so another organisation's id
/// finds nothing and the page answers 404, never 403 (which would confirm the id exists).</summary>
public static class OrganisationAccess
{
    /// <summary>The signed-in user's id.</summary>
    public static Guid UserId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The user is not signed in."));

    /// <summary>The assessments of organisations <paramref name="userId"/> is a member of.</summary>
    public static IQueryable<Assessment> VisibleTo(this IQueryable<Assessment> assessments, AssessmentsDbContext db, Guid userId) =>
        assessments.Where(a => db.Memberships.Any(m => m.UserId == userId && m.OrganisationId == a.OrganisationId));

    /// <summary>The candidate gradings of assessments <paramref name="userId"/> may see.</summary>
    public static IQueryable<GradingRun> VisibleTo(this IQueryable<GradingRun> runs, AssessmentsDbContext db, Guid userId) =>
        runs.Where(r => r.Kind == GradingKind.Candidate
            && db.Memberships.Any(m => m.UserId == userId && m.OrganisationId == r.Submission!.Assessment!.OrganisationId));
}
