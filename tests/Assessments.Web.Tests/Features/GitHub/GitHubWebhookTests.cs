using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assessments.Web.Data;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Submissions;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features.GitHub;

/// <summary>GitHub's push webhooks through the running app, signed as GitHub signs them.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class GitHubWebhookTests(WebApp app) : IAsyncLifetime
{
    private readonly GitHubScenario _github = new(app);
    private readonly HttpClient _client = app.CreateClient();

    public async ValueTask InitializeAsync() => await _github.CreateAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void GitHubsPublishedTestVectorSignsAndVerifies()
    {
        // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
        const string secret = "It's a Secret to Everybody";
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        const string expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        Assert.Equal(expected, WebhookSignature.Compute(secret, body));
        Assert.True(WebhookSignature.IsValid(secret, body, expected));
        Assert.False(WebhookSignature.IsValid(secret, body, expected[..^1] + "8"));
        Assert.False(WebhookSignature.IsValid(secret, Encoding.UTF8.GetBytes("Hello, World?"), expected));
        Assert.False(WebhookSignature.IsValid("another secret", body, expected));
        Assert.False(WebhookSignature.IsValid(secret, body, expected.Replace("sha256=", "sha1=")));
        Assert.False(WebhookSignature.IsValid(secret, body, "sha256=not-hex-at-all-" + new string('z', 50)));
        Assert.False(WebhookSignature.IsValid(secret, body, null));
    }

    [Fact]
    public async Task APushOfTheDefaultBranchIsRecordedOnceHoweverOftenItIsDelivered()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, repository, secret) = await ProvisionedAsync(ct);
        var commit = _github.GitHub.Push(repository, "Fix the N+1");
        var delivery = Guid.NewGuid().ToString();

        var first = await DeliverAsync(id, secret, "push", delivery, Push(repository, commit), ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("recorded", (await Answer(first))["status"]!.GetValue<string>());
        var again = await DeliverAsync(id, secret, "push", delivery, Push(repository, commit), ct);
        Assert.Equal("duplicate", (await Answer(again))["status"]!.GetValue<string>());
        // A new delivery of the same commit (a manual redelivery has a new id on GitHub's side too).
        var sameCommit = await DeliverAsync(id, secret, "push", Guid.NewGuid().ToString(), Push(repository, commit), ct);
        Assert.Equal("duplicate", (await Answer(sameCommit))["status"]!.GetValue<string>());

        await using var db = app.Database.CreateContext();
        var submission = await db.Submissions.SingleAsync(s => s.AssessmentId == id, ct);
        Assert.Equal((commit, SubmissionSource.GitHubWebhook, "main"), (submission.CommitSha, submission.Source, submission.Branch));
        Assert.Single(await db.GradingRuns.Where(r => r.SubmissionId == submission.Id && r.Status == GradingStatus.Queued).ToListAsync(ct));
        var stored = await db.WebhookDeliveries.SingleAsync(d => d.DeliveryId == delivery, ct);
        Assert.Equal(("github", "push"), (stored.Provider, stored.Event));
        Assert.NotNull(stored.ProcessedAt);
        Assert.Equal(Push(repository, commit), stored.Payload);
    }

    [Fact]
    public async Task PingIsAnsweredAndOtherBranchesDeletionsAndForcedPushesAreHandledAsGitHubMeansThem()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, repository, secret) = await ProvisionedAsync(ct);

        var ping = await DeliverAsync(id, secret, "ping", Guid.NewGuid().ToString(), $$$"""{"zen":"Keep it logically awesome.","hook_id":1,"repository":{"id":{{{repository.Id}}}}}""", ct);
        Assert.Equal("pong", (await Answer(ping))["status"]!.GetValue<string>());

        var branch = await DeliverAsync(id, secret, "push", Guid.NewGuid().ToString(), Push(repository, new string('a', 40), reference: "refs/heads/experiment"), ct);
        Assert.Contains("not the default branch", (await Answer(branch))["detail"]!.GetValue<string>());

        var deleted = await DeliverAsync(id, secret, "push", Guid.NewGuid().ToString(), Push(repository, new string('0', 40), deleted: true), ct);
        Assert.Contains("deleted", (await Answer(deleted))["detail"]!.GetValue<string>());

        var first = _github.GitHub.Push(repository, "First");
        await DeliverAsync(id, secret, "push", Guid.NewGuid().ToString(), Push(repository, first), ct);
        var rewritten = _github.GitHub.Push(repository, "Rewritten", root: true);
        var forced = await DeliverAsync(id, secret, "push", Guid.NewGuid().ToString(), Push(repository, rewritten, forced: true), ct);
        Assert.Equal("recorded", (await Answer(forced))["status"]!.GetValue<string>());
        Assert.Contains("Forced push", (await Answer(forced))["detail"]!.GetValue<string>());

        await using var db = app.Database.CreateContext();
        Assert.Equal([first, rewritten], await db.Submissions.Where(s => s.AssessmentId == id).OrderBy(s => s.ReceivedAt).Select(s => s.CommitSha).ToListAsync(ct));
    }

    [Fact]
    public async Task ABadSignatureIs401AndAMalformedBodyIs400AndNeitherStoresAnything()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, repository, secret) = await ProvisionedAsync(ct);
        var body = Push(repository, _github.GitHub.Push(repository, "Work"));

        var wrongSecret = await DeliverAsync(id, "not the secret", "push", "bad-1", body, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        var unsigned = await DeliverAsync(id, null, "push", "bad-2", body, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        var tampered = await SendAsync(id, WebhookSignature.Compute(secret, Encoding.UTF8.GetBytes(body)), "push", "bad-3", body.Replace("main", "mainx"), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        var otherAssessment = await DeliverAsync(Guid.NewGuid(), secret, "push", "bad-4", body, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAssessment.StatusCode);

        var notJson = await DeliverAsync(id, secret, "push", "bad-5", "{\"ref\": ", ct);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("malformed", await notJson.Content.ReadAsStringAsync(ct));
        var notAnObject = await DeliverAsync(id, secret, "push", "bad-9", "99999999", ct);
        Assert.Equal(HttpStatusCode.BadRequest, notAnObject.StatusCode);
        var noAfter = await DeliverAsync(id, secret, "push", "bad-6", $$$"""{"ref":"refs/heads/main","deleted":false,"forced":false,"repository":{"id":{{{repository.Id}}},"default_branch":"main"}}""", ct);
        Assert.Equal(HttpStatusCode.BadRequest, noAfter.StatusCode);
        Assert.Contains("'after' is missing", await noAfter.Content.ReadAsStringAsync(ct));
        var noDelivery = await SendAsync(id, WebhookSignature.Compute(secret, Encoding.UTF8.GetBytes(body)), "push", null, body, ct);
        Assert.Equal(HttpStatusCode.BadRequest, noDelivery.StatusCode);
        // Longer than the column that stores it: refused, not a 500 (found by fuzzing).
        var longEvent = await DeliverAsync(id, secret, new string('e', 65), "bad-8", body, ct);
        Assert.Equal(HttpStatusCode.BadRequest, longEvent.StatusCode);
        Assert.Contains("at most 64 characters", await longEvent.Content.ReadAsStringAsync(ct));
        var otherRepository = await DeliverAsync(id, secret, "push", "bad-7", body.Replace($"\"id\":{repository.Id}", "\"id\":1"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, otherRepository.StatusCode);

        await using var db = app.Database.CreateContext();
        Assert.False(await db.WebhookDeliveries.AnyAsync(d => d.DeliveryId.StartsWith("bad-"), ct));
        Assert.False(await db.Submissions.AnyAsync(s => s.AssessmentId == id, ct));
    }

    [Fact]
    public async Task APushAfterTheAssessmentClosedIsStoredButNotRecorded()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, repository, secret) = await ProvisionedAsync(ct);
        await _github.LifecycleAsync(l => l.CloseAsync(id, "test", "done", ct));
        var late = _github.GitHub.Push(repository, "Too late");

        var answer = await DeliverAsync(id, secret, "push", Guid.NewGuid().ToString(), Push(repository, late), ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("pushes count only while it is started", (await Answer(answer))["detail"]!.GetValue<string>());
        await using var db = app.Database.CreateContext();
        Assert.False(await db.Submissions.AnyAsync(s => s.AssessmentId == id && s.CommitSha == late, ct));
    }

    private async Task<(Guid Id, FakeRepository Repository, string Secret)> ProvisionedAsync(CancellationToken cancellationToken)
    {
        var id = await _github.ProvisionedAsync(cancellationToken);
        var assessment = await _github.AssessmentAsync(id, cancellationToken);
        return (id, _github.Repository(assessment), await _github.SecretAsync(id, cancellationToken));
    }

    /// <summary>A push event's body with the fields GitHub sends that the endpoint reads, and a few it does not.</summary>
    internal static string Push(FakeRepository repository, string after, string reference = "refs/heads/main", bool deleted = false, bool forced = false) =>
        new JsonObject
        {
            ["ref"] = reference,
            ["before"] = new string('0', 40),
            ["after"] = after,
            ["created"] = false,
            ["deleted"] = deleted,
            ["forced"] = forced,
            ["repository"] = new JsonObject { ["id"] = repository.Id, ["full_name"] = $"{repository.Owner}/{repository.Name}", ["default_branch"] = repository.DefaultBranch },
            ["pusher"] = new JsonObject { ["name"] = "ada" },
            ["commits"] = new JsonArray(),
        }.ToJsonString();

    private Task<HttpResponseMessage> DeliverAsync(Guid assessmentId, string? secret, string eventName, string delivery, string body, CancellationToken cancellationToken) =>
        SendAsync(assessmentId, secret is null ? null : WebhookSignature.Compute(secret, Encoding.UTF8.GetBytes(body)), eventName, delivery, body, cancellationToken);

    private Task<HttpResponseMessage> SendAsync(Guid assessmentId, string? signature, string eventName, string? delivery, string body, CancellationToken cancellationToken) =>
        SendAsync(_client, assessmentId, signature, eventName, delivery, body, cancellationToken);

    /// <summary>A delivery as GitHub sends one: its event, delivery id and signature headers where
    /// given, taken as they are (a fuzzed header is sent unchecked), and the body.</summary>
    internal static Task<HttpResponseMessage> SendAsync(HttpClient client, Guid assessmentId, string? signature, string eventName, string? delivery, string body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/github/{assessmentId}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-GitHub-Event", eventName);
        request.Headers.UserAgent.ParseAdd("GitHub-Hookshot/044aadd");
        if (delivery is not null)
        {
            request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", delivery);
        }

        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        }

        return client.SendAsync(request, cancellationToken);
    }

    private static async Task<JsonNode> Answer(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
}
