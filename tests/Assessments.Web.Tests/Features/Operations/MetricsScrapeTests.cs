using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Operations;
using Assessments.Web.Tests.Features.GitHub;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Operations;

/// <summary>The figures an operator's Prometheus scrapes at <c>/metrics</c>, and the same counts in
/// the day's history behind <c>/ops</c>. In the webhooks' collection, so no other delivery lands
/// between two readings.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed partial class MetricsScrapeTests(WebApp app) : IAsyncLifetime
{
    private readonly GitHubScenario _github = new(app);
    private readonly HttpClient _client = app.CreateClient();
    private DateTimeOffset _since;

    public async ValueTask InitializeAsync() => await _github.CreateAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task OnlyAScrapeWithTheTokenIsAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetAsync("/metrics", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync(WebApp.ScrapeToken + "x", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScrapeAsync(WebApp.ScrapeToken[..^1], ct)).StatusCode);

        var scrape = await ScrapeAsync(WebApp.ScrapeToken, ct);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var text = await scrape.Content.ReadAsStringAsync(ct);
        // The product's own figures beside ASP.NET Core's, the runtime's and Npgsql's.
        Assert.Contains("# TYPE assessments_gradings_queued", text);
        Assert.Contains("# TYPE assessments_outbox_backlog", text);
        Assert.Contains("# TYPE assessments_gradings_oldest_queued_age_seconds gauge", text);
        Assert.Contains("http_server_request_duration_seconds", text);
        Assert.Contains("dotnet_gc_", text);
    }

    [Fact]
    public async Task WebhookDeliveriesAreCountedByOutcomeAtTheScrapeAndInTheDaysHistory()
    {
        var ct = TestContext.Current.CancellationToken;
        var sampler = app.Services.GetRequiredService<OperationsSampler>();
        var id = await _github.ProvisionedAsync(ct);
        var assessment = await _github.AssessmentAsync(id, ct);
        var repository = _github.Repository(assessment);
        var secret = await _github.SecretAsync(id, ct);
        await sampler.FlushCountsAsync(ct);
        // Counted from this minute on: rows other tests write for hours past (the /ops screenshot's) do not count.
        _since = DateTimeOffset.UtcNow.AddMinutes(-1);
        var scrapedBefore = await DeliveriesAsync(ct);
        var storedBefore = await StoredDeliveriesAsync(ct);

        var delivery = Guid.NewGuid().ToString();
        var commit = _github.GitHub.Push(repository, "Fix it");
        var body = GitHubWebhookTests.Push(repository, commit);
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(id, WebhookSignature.Compute(secret, Encoding.UTF8.GetBytes(body)), delivery, body, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync(id, WebhookSignature.Compute(secret, Encoding.UTF8.GetBytes(body)), delivery, body, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeliverAsync(id, WebhookSignature.Compute("not the secret", Encoding.UTF8.GetBytes(body)), Guid.NewGuid().ToString(), body, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await DeliverAsync(id, WebhookSignature.Compute(secret, "{}"u8.ToArray()), Guid.NewGuid().ToString(), "{}", ct)).StatusCode);

        var scraped = await DeliveriesAsync(ct);
        Assert.Equal(1, scraped.GetValueOrDefault("accepted") - scrapedBefore.GetValueOrDefault("accepted"));
        Assert.Equal(1, scraped.GetValueOrDefault("duplicate") - scrapedBefore.GetValueOrDefault("duplicate"));
        Assert.Equal(2, scraped.GetValueOrDefault("rejected") - scrapedBefore.GetValueOrDefault("rejected"));

        await sampler.FlushCountsAsync(ct);
        var stored = await StoredDeliveriesAsync(ct);
        Assert.Equal(1, stored.GetValueOrDefault("accepted") - storedBefore.GetValueOrDefault("accepted"));
        Assert.Equal(1, stored.GetValueOrDefault("duplicate") - storedBefore.GetValueOrDefault("duplicate"));
        Assert.Equal(2, stored.GetValueOrDefault("rejected") - storedBefore.GetValueOrDefault("rejected"));
        // Taken once: a second flush adds nothing.
        await sampler.FlushCountsAsync(ct);
        Assert.Equal(stored, await StoredDeliveriesAsync(ct));
    }

    private async Task<HttpResponseMessage> ScrapeAsync(string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _client.SendAsync(request, cancellationToken);
    }

    /// <summary>The webhook counter's value per outcome, as Prometheus reads it.</summary>
    private async Task<Dictionary<string, long>> DeliveriesAsync(CancellationToken cancellationToken)
    {
        var text = await (await ScrapeAsync(WebApp.ScrapeToken, cancellationToken)).Content.ReadAsStringAsync(cancellationToken);
        return DeliveryLine().Matches(text).ToDictionary(m => m.Groups["outcome"].Value, m => long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));
    }

    private async Task<Dictionary<string, long>> StoredDeliveriesAsync(CancellationToken cancellationToken)
    {
        await using var db = app.Database.CreateContext();
        return await db.OperationCounts.Where(c => c.Name == OperationsMetrics.Counts.WebhookDeliveries && c.Minute >= _since)
            .GroupBy(c => c.Label).Select(g => new { g.Key, Count = g.Sum(c => c.Count) })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
    }

    private Task<HttpResponseMessage> DeliverAsync(Guid assessmentId, string signature, string delivery, string body, CancellationToken cancellationToken) =>
        GitHubWebhookTests.SendAsync(_client, assessmentId, signature, "push", delivery, body, cancellationToken);

    [GeneratedRegex("""^assessments_webhook_deliveries_total\{(?=[^}]*outcome="(?<outcome>[a-z]+)")(?=[^}]*provider="github")[^}]*\} (?<count>\d+)""", RegexOptions.Multiline)]
    private static partial Regex DeliveryLine();
}
