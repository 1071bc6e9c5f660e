using System.Text;
using System.Text.Json;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Operations;
using Assessments.Web.Features.Submissions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Assessments.Web.Features.GitHub;

/// <summary>GitHub's push webhooks at <c>/webhooks/github/{assessment}</c>. The signature is checked
/// over the raw body with the assessment's own secret before anything is read or stored
/// (<see cref="WebhookSignatureFilter"/>); a delivery is stored once (<c>X-GitHub-Delivery</c> is
/// unique), and a push the <see cref="PushPolicy"/> counts is recorded as a submission, in the
/// same transaction as the delivery, and graded later through the outbox: the answer takes
/// milliseconds, well inside GitHub's 10 s.</summary>
public static class GitHubWebhookEndpoints
{
    /// <summary>GitHub caps payloads at 25 MB.</summary>
    public const int MaxBodyBytes = 25 << 20;

    public const string Provider = "github";

    public static IEndpointRouteBuilder MapGitHubWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/github/{assessmentId:guid}", ReceiveAsync)
            .AddEndpointFilter(CountOutcomeAsync)
            .AddEndpointFilter<WebhookSignatureFilter>()
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>Counts each delivery by how it was answered, whatever answered it (the signature
    /// check, the handler, or an exception): accepted, duplicate, rejected (4xx) or failed.</summary>
    private static async ValueTask<object?> CountOutcomeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var metrics = context.HttpContext.RequestServices.GetRequiredService<OperationsMetrics>();
        object? result;
        try
        {
            result = await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.WebhookDelivery(Provider, "failed");
            throw;
        }

        var answer = result;
        while (answer is INestedHttpResult nested)
        {
            answer = nested.Result;
        }

        metrics.WebhookDelivery(Provider, answer switch
        {
            Ok<WebhookAnswer> { Value.Status: "duplicate" } => "duplicate",
            IStatusCodeHttpResult { StatusCode: >= 400 and < 500 } => "rejected",
            IStatusCodeHttpResult { StatusCode: >= 500 } => "failed",
            _ => "accepted",
        });
        return result;
    }

    /// <summary>What storing a delivery needs.</summary>
    internal sealed record WebhookServices(
        AssessmentsDbContext Db,
        SubmissionRecorder Recorder,
        OutboxDispatcher Dispatcher,
        PushPolicy Policy,
        TimeProvider Time,
        ILoggerFactory Loggers);

    private static async Task<Results<Ok<WebhookAnswer>, ProblemHttpResult>> ReceiveAsync(
        HttpContext context,
        Guid assessmentId,
        [AsParameters] WebhookServices services,
        CancellationToken cancellationToken)
    {
        var (assessment, body) = context.Features.GetRequiredFeature<SignedDelivery>();
        var (db, time) = (services.Db, services.Time);
        var request = context.Request;
        string eventName = request.Headers["X-GitHub-Event"].ToString();
        string deliveryId = request.Headers["X-GitHub-Delivery"].ToString();
        // Within the columns that store them: a longer one was a 500 (found by fuzzing).
        if (eventName.Length is 0 or > 64 || deliveryId.Length is 0 or > 128)
        {
            return Problem(StatusCodes.Status400BadRequest, "X-GitHub-Event (at most 64 characters) and X-GitHub-Delivery (at most 128) are required.");
        }

        PushPayload? push = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                // TryGetProperty throws on anything else (found by fuzzing: a bare number answered 500).
                return Problem(StatusCodes.Status400BadRequest, $"The {eventName} body is malformed: it is JSON but not an object.");
            }

            var repositoryId = json.RootElement.TryGetProperty("repository", out var repository) && repository.TryGetProperty("id", out var id) && id.TryGetInt64(out var value) ? value : (long?)null;
            if (repositoryId is { } r && r != assessment.ExternalRepositoryId)
            {
                return Problem(StatusCodes.Status400BadRequest, $"The delivery is for repository {r}, not this assessment's ({assessment.ExternalRepositoryId}).");
            }

            if (eventName == "push")
            {
                push = PushPayload.Read(json.RootElement);
            }
        }
        catch (Exception e) when (e is JsonException or PushPayloadException)
        {
            return Problem(StatusCodes.Status400BadRequest, $"The {eventName} body is malformed: {e.Message}");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = new WebhookDelivery { Provider = Provider, DeliveryId = deliveryId, Event = eventName, Payload = Encoding.UTF8.GetString(body) };
        db.WebhookDeliveries.Add(delivery);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ix_webhook_deliveries_provider_delivery_id" })
        {
            // A redelivery, or the same delivery arriving twice at once: the first one counts.
            return TypedResults.Ok(new WebhookAnswer(deliveryId, "duplicate", "This delivery was received before."));
        }

        var answer = push is null
            ? new WebhookAnswer(deliveryId, eventName == "ping" ? "pong" : "ignored", eventName == "ping" ? "The webhook is set up." : $"'{eventName}' events are not used.")
            : await RecordPushAsync(assessment, push, deliveryId, services, cancellationToken);
        await db.WebhookDeliveries.Where(d => d.Id == delivery.Id)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.ProcessedAt, time.GetUtcNow()), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        services.Dispatcher.Wake();
        services.Loggers.CreateLogger(typeof(GitHubWebhookEndpoints))
            .LogInformation("GitHub {Event} delivery {DeliveryId} for {AssessmentId}: {Status} ({Detail})", eventName, deliveryId, assessmentId, answer.Status, answer.Detail);
        return TypedResults.Ok(answer);
    }

    /// <summary>Records the push when the policy counts it; otherwise says why not (GitHub shows
    /// it in the delivery log).</summary>
    private static async Task<WebhookAnswer> RecordPushAsync(Assessment assessment, PushPayload push, string deliveryId, WebhookServices services, CancellationToken cancellationToken)
    {
        var change = push.Deleted ? RefChange.Deleted : push.Forced ? RefChange.Rewritten : RefChange.Moved;
        var decision = services.Policy.Decide(assessment, push.Ref, push.DefaultBranch, change, PushHost.GitHub, services.Time.GetUtcNow());
        if (!decision.Counts)
        {
            return new WebhookAnswer(deliveryId, "ignored", decision.Outcome switch
            {
                PushOutcome.DeletesDefaultBranch => "The default branch was deleted; the last submission stands.",
                PushOutcome.NotStarted or PushOutcome.Closed => $"The assessment is {assessment.Status}; pushes count only while it is started.",
                PushOutcome.Late => $"Pushed after the deadline {assessment.EffectiveDeadline:u}.",
                _ => $"{push.Ref} is not the default branch {push.DefaultBranch}; only its pushes are graded.",
            });
        }

        var submission = await services.Recorder.RecordAsync(assessment.Id, push.After, push.DefaultBranch, SubmissionSource.GitHubWebhook, cancellationToken);
        return submission is null
            ? new WebhookAnswer(deliveryId, "duplicate", $"Commit {push.After} was recorded before.")
            : new WebhookAnswer(deliveryId, "recorded", push.Forced ? $"Forced push of {push.After} recorded." : $"Commit {push.After} recorded.");
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    /// <summary>What the endpoint did with a delivery; GitHub shows it in the hook's delivery log.</summary>
    internal sealed record WebhookAnswer(string Delivery, string Status, string Detail);

    private sealed class PushPayloadException(string message) : Exception(message);

    /// <summary>The fields of a <c>push</c> event this endpoint reads; each is required.</summary>
    private sealed record PushPayload(string Ref, string After, bool Deleted, bool Forced, string DefaultBranch)
    {
        public static PushPayload Read(JsonElement root) => new(
            String(root, "ref"),
            GitTrees.IsCommitId(String(root, "after").ToLowerInvariant()) ? String(root, "after").ToLowerInvariant() : throw new PushPayloadException("'after' is not a commit id"),
            Bool(root, "deleted"),
            Bool(root, "forced"),
            root.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.Object
                ? String(repository, "default_branch")
                : throw new PushPayloadException("'repository' is missing"));

        private static string String(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw new PushPayloadException($"'{name}' is missing or not a string");

        private static bool Bool(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? value.GetBoolean()
                : throw new PushPayloadException($"'{name}' is missing or not a boolean");
    }
}
