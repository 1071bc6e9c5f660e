using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Assessments.Web.Features.Security;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features;

public sealed partial class SecurityTests(WebApp app)
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/invitations/not-a-secret")]
    [InlineData("/healthz")]
    [InlineData("/no-such-page")]
    public async Task EveryAnswerCarriesTheSecurityHeaders(string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task PagesCarryNoInlineScriptOrEventHandlers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = app.CreateClient();
        var login = await client.GetStringAsync("/account/login", ct);

        // A strict policy forbids them; a page that used one would break silently in the browser.
        Assert.DoesNotMatch(InlineScript(), login);
        Assert.DoesNotMatch(EventHandlerAttribute(), login);
        Assert.Contains("<script src=\"/site.js", login);
        var script = await client.GetAsync("/site.js", ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task AnonymousReadinessIsTheStatusAloneAndOperatorsSeeTheChecks()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = app.CreateClient();
        var plain = JsonDocument.Parse(await anonymous.GetStringAsync("/readyz", ct)).RootElement;
        Assert.Equal("Healthy", plain.GetProperty("status").GetString());
        Assert.Equal(["status"], plain.EnumerateObject().Select(p => p.Name));

        var email = $"operator-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, Password, isOperator: true);
        using var operatorClient = app.CreateClient();
        await WebApp.SignInAsync(operatorClient, email, Password, ct);
        var detailed = JsonDocument.Parse(await operatorClient.GetStringAsync("/readyz", ct)).RootElement;
        Assert.Equal("Healthy", detailed.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
    }

    [Fact]
    public async Task FiveWrongPasswordsLockTheAccountEvenForTheRightOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        // As `assess admin create` makes them: an operator and an organisation's administrator.
        await app.CreateUserAsync(email, Password, isOperator: true);
        using var client = app.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            var wrong = await WebApp.SignInAsync(client, email, $"wrong-password-{i}", ct);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await WebApp.SignInAsync(client, email, Password, ct);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/", ct)).StatusCode);

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Assessments.Web.Data.User>>();
        var user = await users.FindByEmailAsync(email);
        Assert.True(await users.IsLockedOutAsync(user!));
        Assert.InRange(user!.LockoutEnd!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task SignInAttemptsFromOneAddressAreLimitedAndOtherAddressesAreNot()
    {
        var ct = TestContext.Current.CancellationToken;
        using var guesser = app.CreateClient();
        var limit = new RateLimitOptions().SignInPerMinute;

        // Many accounts, one password each: lockout never trips, the rate limit does.
        for (var i = 0; i < limit; i++)
        {
            var attempt = await WebApp.SignInAsync(guesser, $"someone-{i}@example.com", Password, ct);
            Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        }

        var refused = await WebApp.SignInAsync(guesser, "one-more@example.com", Password, ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("Too many requests from your address", await refused.Content.ReadAsStringAsync(ct));

        // Reading the form is not an attempt, and another visitor is not affected.
        Assert.Equal(HttpStatusCode.OK, (await guesser.GetAsync("/account/login", ct)).StatusCode);
        var email = $"reviewer-{Guid.NewGuid():N}@example.com";
        await app.CreateUserAsync(email, Password);
        using var other = app.CreateClient();
        Assert.Equal(HttpStatusCode.Redirect, (await WebApp.SignInAsync(other, email, Password, ct)).StatusCode);
    }

    [Fact]
    public async Task InvitationLinksAreLimitedPerAddress()
    {
        var ct = TestContext.Current.CancellationToken;
        using var guesser = app.CreateClient();
        var limit = new RateLimitOptions().InvitationPerMinute;
        for (var i = 0; i < limit; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await guesser.GetAsync($"/invitations/guess-{i}", ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await guesser.GetAsync("/invitations/guess-last", ct)).StatusCode);
    }

    [Fact]
    public async Task GitRequestsAreLimitedPerAddress()
    {
        var ct = TestContext.Current.CancellationToken;
        using var guesser = app.CreateClient();
        for (var i = 0; i < WebApp.GitPerMinute; i++)
        {
            var response = await guesser.GetAsync("/git/some-org/some-repo.git/info/refs?service=git-upload-pack", ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var refused = await guesser.GetAsync("/git/some-org/some-repo.git/info/refs?service=git-upload-pack", ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<[^>]+\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();
}
