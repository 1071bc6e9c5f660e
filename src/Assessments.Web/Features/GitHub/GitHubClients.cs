using System.Globalization;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Octokit;
using Octokit.Internal;
using Polly;

namespace Assessments.Web.Features.GitHub;

/// <summary>Why a GitHub repository cannot be used: GitHub is not configured, or an organisation
/// has no GitHub organisation set. The message says which setting to change.</summary>
public sealed class GitHubNotConfiguredException(string message) : Exception(message);

/// <summary>Octokit clients whose HTTP goes through a retrying handler: rate limits (403 or 429
/// with <c>Retry-After</c> or an exhausted <c>x-ratelimit-remaining</c>), 5xx answers and dropped
/// connections are retried with backoff, and a rate limit's own wait is honoured. Every call the
/// platform makes to GitHub is safe to repeat, so non-idempotent methods are retried too.</summary>
public sealed class GitHubClients(IOptions<GitHubOptions> options, IHttpMessageHandlerFactory handlers)
{
    public const string HttpClientName = "github";

    public IGitHubClient Create()
    {
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            throw new GitHubNotConfiguredException("GitHub is not configured: set GitHub__Token (and GitHub__ApiUrl for GitHub Enterprise Server).");
        }

        var connection = new Connection(
            new ProductHeaderValue("Assessments"),
            BaseAddress(settings.ApiUrl),
            new InMemoryCredentialStore(new Credentials(settings.Token)),
            // The factory's handler outlives this client; disposing the adapter does not dispose it.
            new HttpClientAdapter(() => handlers.CreateHandler(HttpClientName)),
            new SimpleJsonSerializer());
        return new GitHubClient(connection);
    }

    /// <summary>What Octokit's simpler constructors do and this one does not: any server but
    /// github.com's API serves the REST API under <c>/api/v3/</c> (GitHub Enterprise Server).</summary>
    internal static Uri BaseAddress(Uri apiUrl) =>
        apiUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase) ? apiUrl : new Uri(apiUrl, "/api/v3/");

    /// <summary>The retry policy of the <see cref="HttpClientName"/> handler.</summary>
    internal static void ConfigureRetries(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, GitHubOptions settings, TimeProvider time)
    {
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            // Our own delay generator reads Retry-After and GitHub's reset header.
            ShouldRetryAfterHeader = false,
            MaxRetryAttempts = Math.Max(settings.MaxRetries, 1),
            Delay = settings.RetryDelay,
            MaxDelay = settings.MaxRetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(settings.MaxRetries > 0 && ShouldRetry(args.Outcome, settings, time)),
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RateLimitWait(response, time) : null),
        });
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, GitHubOptions settings, TimeProvider time)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException;
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
        {
            return true;
        }

        // A 403 is a rate limit only when GitHub says so; otherwise it is a permission problem a
        // retry cannot fix. A wait longer than allowed fails now: the job is retried later.
        return response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests
            && RateLimitWait(response, time) is { } wait
            && wait <= settings.MaxRetryDelay;
    }

    /// <summary>How long GitHub asks to wait: <c>Retry-After</c> (secondary limits), else the time
    /// until <c>x-ratelimit-reset</c> when <c>x-ratelimit-remaining</c> is 0 (primary limit).</summary>
    internal static TimeSpan? RateLimitWait(HttpResponseMessage response, TimeProvider time)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            return retryAfter.Delta ?? (retryAfter.Date is { } date ? Max(date - time.GetUtcNow()) : null);
        }

        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
        {
            return null;
        }

        if (Header(response, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            // One second more: the reset is whole seconds and clocks differ.
            return Max(DateTimeOffset.FromUnixTimeSeconds(reset) - time.GetUtcNow() + TimeSpan.FromSeconds(1));
        }

        return null;
    }

    private static TimeSpan Max(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
