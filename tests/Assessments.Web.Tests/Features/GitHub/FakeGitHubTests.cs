using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features.GitHub;

/// <summary>The fake is only worth its green if it refuses what GitHub refuses.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class FakeGitHubTests(WebApp app)
{
    private readonly string _owner = $"fake-{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task RequestsMissingADocumentedFieldOrTheTokenOrAUserAgentAreRefusedAsGitHubRefusesThem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = new HttpClient { BaseAddress = app.GitHub.BaseAddress };

        var noToken = await SendAsync(client, HttpMethod.Post, $"api/v3/orgs/{_owner}/repos", """{"name":"x"}""", token: null, ct: ct);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Contains("Bad credentials", await noToken.Content.ReadAsStringAsync(ct));

        var noAgent = await SendAsync(client, HttpMethod.Post, $"api/v3/orgs/{_owner}/repos", """{"name":"x"}""", userAgent: false, ct: ct);
        Assert.Equal(HttpStatusCode.Forbidden, noAgent.StatusCode);

        var noName = await SendAsync(client, HttpMethod.Post, $"api/v3/orgs/{_owner}/repos", """{"private":true}""", ct: ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noName.StatusCode);
        Assert.Contains("\"name\" wasn't supplied.", System.Text.Json.Nodes.JsonNode.Parse(await noName.Content.ReadAsStringAsync(ct))!["message"]!.GetValue<string>());

        var wrongType = await SendAsync(client, HttpMethod.Post, $"api/v3/orgs/{_owner}/repos", """{"name":"x","private":"yes"}""", ct: ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongType.StatusCode);

        var created = await SendAsync(client, HttpMethod.Post, $"api/v3/orgs/{_owner}/repos", """{"name":"template","is_template":true,"auto_init":true}""", ct: ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var taken = await SendAsync(client, HttpMethod.Post, $"api/v3/orgs/{_owner}/repos", """{"name":"template"}""", ct: ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.StatusCode);
        Assert.Contains("name already exists on this account", await taken.Content.ReadAsStringAsync(ct));

        var generateWithoutName = await SendAsync(client, HttpMethod.Post, $"api/v3/repos/{_owner}/template/generate", $$"""{"owner":"{{_owner}}","private":true}""", ct: ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, generateWithoutName.StatusCode);

        var id = app.GitHub.Repository(_owner, "template")!.Id;
        var hookWithoutUrl = await SendAsync(client, HttpMethod.Post, $"api/v3/repositories/{id}/hooks", """{"name":"web","config":{"content_type":"json"},"events":["push"]}""", ct: ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, hookWithoutUrl.StatusCode);
        var badPermission = await SendAsync(client, HttpMethod.Put, $"api/v3/repositories/{id}/collaborators/someone", """{"permission":"everything"}""", ct: ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badPermission.StatusCode);
        var notJson = await SendAsync(client, HttpMethod.Post, $"api/v3/repositories/{id}/git/blobs", "{content:", ct: ct);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        var missing = await SendAsync(client, HttpMethod.Get, $"api/v3/repos/{_owner}/nothing-here", null, ct: ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? body, string? token = FakeGitHub.Token, bool userAgent = true, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (userAgent)
        {
            request.Headers.UserAgent.ParseAdd("fake-github-tests");
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request, ct);
    }
}
