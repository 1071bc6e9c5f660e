using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Home;

public sealed class IndexModel(AssessmentsDbContext db) : PageModel
{
    public sealed record OrganisationRow(string Slug, string Name, OrganisationRole Role, int Candidates, int Assessments);

    public string DisplayName { get; private set; } = "";

    public bool IsOperator { get; private set; }

    public IReadOnlyList<OrganisationRow> Organisations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var userId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new { u.DisplayName, u.Email, u.IsOperator })
            .SingleAsync(cancellationToken);
        DisplayName = string.IsNullOrEmpty(user.DisplayName) ? user.Email ?? "" : user.DisplayName;
        IsOperator = user.IsOperator;

        // One statement for the whole list, whatever the number of organisations.
        Organisations = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.Organisation!.Name)
            .Select(m => new OrganisationRow(
                m.Organisation!.Slug,
                m.Organisation.Name,
                m.Role,
                db.Candidates.Count(c => c.OrganisationId == m.OrganisationId),
                db.Assessments.Count(a => a.OrganisationId == m.OrganisationId)))
            .ToListAsync(cancellationToken);
    }
}
