using Microsoft.Playwright;

namespace Assessments.Web.Tests.Infrastructure;

public static class BrowserSignIn
{
    /// <summary>Signs in through the login form from an address of its own and hands the browser
    /// the cookie. Every browser connects from 127.0.0.1, and sign-in posts are limited per
    /// address (10 a minute), which a dozen browser sign-ins in a minute would reach.</summary>
    public static async Task SignInAsync(this WebApp app, IPage page, string email)
    {
        using var client = app.CreateClient();
        var response = await WebApp.SignInAsync(client, email, ReviewData.Password, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        var cookies = response.Headers.GetValues("Set-Cookie")
            .Select(header => header.Split(';', 2)[0].Split('=', 2))
            .Select(pair => new Cookie { Name = pair[0], Value = pair[1], Url = app.BaseAddress.ToString() });
        await page.Context.AddCookiesAsync(cookies);
    }
}
