using System.Net;
using System.Text;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Tests.Infrastructure;

namespace Assessments.Web.Tests.Features.GitHub;

/// <summary>GitHub's webhook endpoint on a thousand deliveries mutated from a real push, most of
/// them signed with the right secret so they get past the signature to the parser: each is
/// answered (2xx, or 4xx saying what is wrong), never a 500, never an error in the log, never a
/// hang. In the webhooks' collection, so the scrape test's counts stay its own.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class WebhookFuzzTests(WebApp app) : IAsyncLifetime
{
    private static readonly string[] JsonTokens =
    [
        "null", "true", "false", "0", "-1", "1e999", "99999999999999999999999999", "\"\"", "\"x\"", "[]", "{}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "{\"a\":",
        "\"\\u0000\"", "\"\\ud800\"", "\"refs/heads/main\"", "\"refs/heads/other\"", "\"" + new string('0', 40) + "\"", "\"" + new string('f', 64) + "\"",
        "\"../../etc\"", ",", ":", "\"", "\\", "\u202e", new string('[', 2000),
    ];

    private readonly GitHubScenario _github = new(app);
    private readonly HttpClient _client = app.CreateClient();

    public async ValueTask InitializeAsync() => await _github.CreateAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task MutatedDeliveriesAreAnsweredNeverWithA500()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await _github.ProvisionedAsync(ct);
        var assessment = await _github.AssessmentAsync(id, ct);
        var repository = _github.Repository(assessment);
        var secret = await _github.SecretAsync(id, ct);
        // Pretty-printed, so line-level mutations change one field at a time.
        var push = System.Text.Json.Nodes.JsonNode.Parse(GitHubWebhookTests.Push(repository, _github.GitHub.Push(repository, "Fix it")))!
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var events = new[] { "push", "push", "push", "ping", "installation", "", "push\r\nX-Evil: 1", new string('e', 300) };
        // Error lines of the areas a delivery goes through; other tests (a job failing on purpose,
        // say) log in areas of their own at the same time.
        string[] areas = ["Assessments.Web.Features.GitHub", "Assessments.Web.Features.Submissions", "Microsoft.AspNetCore"];
        var errorsBefore = app.Errors.From(areas).Count;

        await Fuzzer.RunAsync(
            "webhook",
            iterations: 1000,
            fuzzer =>
            {
                var body = fuzzer.Random.Next(5) == 0
                    ? Encoding.UTF8.GetString(fuzzer.Mutate(Encoding.UTF8.GetBytes(push)))
                    : fuzzer.MutateText(push, JsonTokens);
                var signed = fuzzer.Random.Next(10) != 0;
                var delivery = fuzzer.Random.Next(8) switch
                {
                    0 => "",
                    1 => new string('d', 129),
                    2 => "same-delivery",
                    _ => Guid.NewGuid().ToString(),
                };
                return (Body: body, Event: fuzzer.Pick(events), Delivery: delivery, Signature: signed ? WebhookSignature.Compute(secret, Encoding.UTF8.GetBytes(body)) : "sha256=" + new string('0', 64));
            },
            async input =>
            {
                using var response = await GitHubWebhookTests.SendAsync(_client, id, input.Signature, input.Event, input.Delivery, input.Body, ct);
                Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{(int)response.StatusCode}");
            },
            input => Encoding.UTF8.GetBytes($"X-GitHub-Event: {input.Event}\nX-GitHub-Delivery: {input.Delivery}\n\n{input.Body}"));

        var logged = app.Errors.From(areas).Skip(errorsBefore).ToList();
        Assert.True(logged.Count == 0, string.Join("\n", logged.Select(l => l[..Math.Min(300, l.Length)]).Distinct().Take(5)));
    }
}
