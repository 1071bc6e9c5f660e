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

    /// <summary>The scenarios <paramref name="userId"/> may see: the built-in library (no
    /// organisation) to every member of any organisation, an organisation's own to its members.</summary>
    public static IQueryable<Scenario> VisibleTo(this IQueryable<Scenario> scenarios, AssessmentsDbContext db, Guid userId) =>
        scenarios.Where(s => s.OrganisationId == null
            ? db.Memberships.Any(m => m.UserId == userId)
            : db.Memberships.Any(m => m.UserId == userId && m.OrganisationId == s.OrganisationId));

    /// <summary>The scenarios <paramref name="userId"/> may verify and read the hidden side of: an
    /// organisation's own to its admins and authors, the built-in library to the admins and authors
    /// of any organisation.</summary>
    public static IQueryable<Scenario> AuthoredBy(this IQueryable<Scenario> scenarios, AssessmentsDbContext db, Guid userId) =>
        scenarios.Where(s => db.Memberships.Any(m => m.UserId == userId
            && (m.Role == OrganisationRole.Admin || m.Role == OrganisationRole.Author)
            && (s.OrganisationId == null || m.OrganisationId == s.OrganisationId)));

    /// <summary>The candidate gradings of assessments <paramref name="userId"/> may see.</summary>
    public static IQueryable<GradingRun> VisibleTo(this IQueryable<GradingRun> runs, AssessmentsDbContext db, Guid userId) =>
        runs.Where(r => r.Kind == GradingKind.Candidate
            && db.Memberships.Any(m => m.UserId == userId && m.OrganisationId == r.Submission!.Assessment!.OrganisationId));
}
