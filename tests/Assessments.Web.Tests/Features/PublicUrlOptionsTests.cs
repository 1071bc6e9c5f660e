using System.ComponentModel.DataAnnotations;
using Assessments.Web.Common;

namespace Assessments.Web.Tests.Features;

public sealed class PublicUrlOptionsTests
{
    [Theory]
    [InlineData("https://assess.example.com", "/invitations/abc", "https://assess.example.com/invitations/abc")]
    [InlineData("https://assess.example.com/", "invitations/abc", "https://assess.example.com/invitations/abc")]
    [InlineData("https://example.com/hiring", "/account/login", "https://example.com/hiring/account/login")]
    public void LinksKeepTheBasePath(string baseUrl, string path, string expected)
    {
        Assert.Equal(expected, new PublicUrlOptions { PublicBaseUrl = baseUrl }.Link(path));
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("assess.example.com", "is not an absolute http(s) address")]
    [InlineData("ftp://assess.example.com", "is not an absolute http(s) address")]
    public void InvalidBaseUrlsSayWhatToSet(string? baseUrl, string problem)
    {
        var options = new PublicUrlOptions { PublicBaseUrl = baseUrl };
        var error = Assert.Single(options.Validate(new ValidationContext(options)));
        Assert.Contains(problem, error.ErrorMessage);
        Assert.Contains("Web__PublicBaseUrl", error.ErrorMessage);
    }
}
