using System.Net;
using Assessments.Web.Data;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features;

public sealed class HomePageTests(WebApp app)
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task OrganisationListTakesTheSameStatementsForOneOrganisationAsForSix()
    {
        var ct = TestContext.Current.CancellationToken;
        using var counter = new StatementCounter();

        var few = await SignedInMemberOfAsync(1, ct);
        var many = await SignedInMemberOfAsync(6, ct);

        var (fewResponse, fewStatements) = await counter.GetAsync(few, "/", ct);
        var (manyResponse, manyStatements) = await counter.GetAsync(many, "/", ct);

        Assert.Equal(HttpStatusCode.OK, fewResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, manyResponse.StatusCode);
        Assert.Equal(6, CountRows(await manyResponse.Content.ReadAsStringAsync(ct)));
        Assert.InRange(fewStatements, 1, 3);
        Assert.Equal(fewStatements, manyStatements);
    }

    private async Task<HttpClient> SignedInMemberOfAsync(int organisations, CancellationToken ct)
    {
        var email = $"member-{Guid.NewGuid():N}@example.com";
        var user = await app.CreateUserAsync(email, Password);
        await using (var db = app.Database.CreateContext())
        {
            for (var i = 0; i < organisations; i++)
            {
                var org = new Organisation { Slug = $"org-{Guid.NewGuid():N}"[..20], Name = $"Team {i}" };
                db.Organisations.Add(org);
                db.Memberships.Add(new Membership { Organisation = org, UserId = user.Id, Role = OrganisationRole.Reviewer });
                db.Candidates.Add(new Candidate { Organisation = org, Name = "Ada", Email = $"ada-{i}@example.com" });
            }

            await db.SaveChangesAsync(ct);
        }

        var client = app.CreateClient();
        await WebApp.SignInAsync(client, email, Password, ct);
        return client;
    }

    private static int CountRows(string html) => html.Split("<tr><td>").Length - 1;
}
