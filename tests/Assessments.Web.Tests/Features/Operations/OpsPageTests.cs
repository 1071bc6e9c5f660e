using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features.Operations;

/// <summary><c>/ops</c> through the app, as an operator reads it (who may read it is in the
/// authorization matrix; what it reads, in <see cref="OperationsHistoryTests"/>).</summary>
public sealed class OpsPageTests(WebApp app)
{
    [Fact]
    public async Task AnOperatorSeesTheQueueTheWorkersAndTheDaysChartsLinkedFromHome()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"ops-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, ReviewData.Password, isOperator: true);
        using var client = app.CreateClient();
        await WebApp.SignInAsync(client, email, ReviewData.Password, ct);

        Assert.Contains("href=\"/ops\"", await app.GetPageAsync(client, "/", ct));
        var page = await app.GetPageAsync(client, "/ops", ct);
        Assert.Contains("gradings waiting", page);
        Assert.Contains("data-figure=\"queued\"", page);
        // The web role runs no Hangfire server, so the page says nothing grades, unless the
        // tracing test's server is up at this moment, and then it lists it.
        Assert.True(page.Contains("No worker process is running", StringComparison.Ordinal) || page.Contains("<table class=\"workers\">", StringComparison.Ordinal), page);
        Assert.Contains("<svg class=\"chart ops\"", page);
        Assert.Contains("Gradings waiting and running", page);
        Assert.Contains("href=\"/ops/jobs\"", page);
        Assert.DoesNotContain("style=", page);
    }
}
