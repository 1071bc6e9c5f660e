using System.Net;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features;

public sealed class AccountTests(WebApp app)
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task SignedInUserSeesTheirHomePage()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"reviewer-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, Password);
        using var client = app.CreateClient();

        var signIn = await WebApp.SignInAsync(client, email, Password, ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);

        var home = await client.GetStringAsync("/", ct);
        Assert.Contains($"Signed in as <strong>{email}</strong>", home);
    }

    [Fact]
    public async Task WrongPasswordShowsAnErrorAndNoCookie()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"author-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, Password);
        using var client = app.CreateClient();

        var signIn = await WebApp.SignInAsync(client, email, "not-the-password", ct);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("do not match an account", await signIn.Content.ReadAsStringAsync(ct));

        var home = await client.GetAsync("/", ct);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/account/login", home.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task LoginWithoutAntiforgeryTokenIsRejected()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = app.CreateClient();
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "someone@example.com",
            ["Password"] = Password,
        }), ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task JobsDashboardIsForOperatorsOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        var reviewer = $"reviewer-{Guid.NewGuid():N}@example.com";
        var operatorEmail = $"operator-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(reviewer, Password);
        await app.CreateUserAsync(operatorEmail, Password, isOperator: true);

        using var anonymous = app.CreateClient();
        var anonymousResponse = await anonymous.GetAsync("/ops/jobs", ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymousResponse.StatusCode);

        using var reviewerClient = app.CreateClient();
        await WebApp.SignInAsync(reviewerClient, reviewer, Password, ct);
        var reviewerResponse = await reviewerClient.GetAsync("/ops/jobs", ct);
        Assert.Equal(HttpStatusCode.Redirect, reviewerResponse.StatusCode);
        Assert.StartsWith("/account/denied", reviewerResponse.Headers.Location?.PathAndQuery);

        using var operatorClient = app.CreateClient();
        await WebApp.SignInAsync(operatorClient, operatorEmail, Password, ct);
        var operatorResponse = await operatorClient.GetAsync("/ops/jobs", ct);
        Assert.Equal(HttpStatusCode.OK, operatorResponse.StatusCode);
        Assert.Contains("Assessments jobs", await operatorResponse.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task WorkerProbeApiAnswers401ToAnonymousCallers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = app.CreateClient();
        var response = await client.PostAsync("/ops/worker-probes?queue=grading", null, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
