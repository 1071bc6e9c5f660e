using System.Net;
using System.Text.Json;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features;

public sealed class HealthTests(WebApp app)
{
    [Fact]
    public async Task LivenessAnswersWithoutSigningIn()
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WebRoleIsReadyOnPostgresAloneAndDoesNotCheckDocker()
    {
        // The checks are listed for operators only.
        var email = $"operator-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, "correct-horse-battery", isOperator: true);
        using var client = app.CreateClient();
        await WebApp.SignInAsync(client, email, "correct-horse-battery", TestContext.Current.CancellationToken);
        var response = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var checks = report.RootElement.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();
        Assert.Equal(["postgresql"], checks);
    }
}
