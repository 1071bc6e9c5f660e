using System.CommandLine;
using Assessments.Web.CommandLine;

namespace Assessments.Web.Features.Demo;

public static class DemoCommands
{
    public const string OrganisationSlug = "demo";

    public static Command SeedDemo()
    {
        var admin = new Option<string[]>("--admin")
        {
            Description = "Email of an existing account to make an admin of the demo organisation (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("seed-demo", "Create the demo organisation and its demo candidates. Safe to run again: what exists is left as it is. Needs ConnectionStrings__Assessments.")
        {
            admin,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = await CommandHost.StartDatabaseHostAsync(null, cancellationToken);
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var summary = await SeedAsync(db, parse.GetValue(admin) ?? [], cancellationToken);
            Console.WriteLine(summary);
            return 0;
        }));
        return command;
    }

    private static readonly (string Name, string Email)[] Candidates =
    [
        ("Ada Lovelace", "ada@candidates.example"),
        ("Alan Turing", "alan@candidates.example"),
        ("Grace Hopper", "grace@candidates.example"),
    ];

    /// <summary>Idempotent: matches on slugs and emails, adds only what is missing.</summary>
    public static async Task<string> SeedAsync(AssessmentsDbContext db, IReadOnlyCollection<string> adminEmails, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var added = new List<string>();

        var org = await db.Organisations.SingleOrDefaultAsync(o => o.Slug == OrganisationSlug, cancellationToken);
        if (org is null)
        {
            org = new Organisation { Slug = OrganisationSlug, Name = "Demo Hiring Team" };
            db.Organisations.Add(org);
            added.Add("organisation demo");
        }

        var existingEmails = await db.Candidates.Where(c => c.OrganisationId == org.Id).Select(c => c.Email).ToListAsync(cancellationToken);
        foreach (var (name, email) in Candidates.Where(c => !existingEmails.Contains(c.Email)))
        {
            db.Candidates.Add(new Candidate { OrganisationId = org.Id, Name = name, Email = email });
            added.Add($"candidate {email}");
        }

        foreach (var email in adminEmails.Select(e => e.Trim()))
        {
            var normalized = email.ToUpperInvariant();
            var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken)
                       ?? throw new CommandException($"no account with email {email}: create it first with `assess admin create --email {email}`");
            var isMember = await db.Memberships.AnyAsync(m => m.OrganisationId == org.Id && m.UserId == user.Id, cancellationToken);
            if (!isMember)
            {
                db.Memberships.Add(new Membership { OrganisationId = org.Id, UserId = user.Id, Role = OrganisationRole.Admin });
                added.Add($"admin {email}");
            }
        }

        if (added.Count > 0)
        {
            db.AuditEvents.Add(AuditEvent.About(org, "cli", "demo.seeded", new { added }));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return added.Count == 0 ? "Demo data is already in place." : $"Added {string.Join(", ", added)}.";
    }
}
