namespace Assessments.Web.Features.GitHub;

/// <summary>A delivery whose signature was checked: the raw body it signs and the assessment
/// whose secret signed it, for the handler after <see cref="WebhookSignatureFilter"/>.</summary>
public sealed record SignedDelivery(Assessment Assessment, byte[] Body);

/// <summary>Checks <c>X-Hub-Signature-256</c> before the webhook's handler runs: the path's
/// assessment picks the secret, the raw body is read once (at most
/// <see cref="GitHubWebhookEndpoints.MaxBodyBytes"/>, else 413) and compared in constant time
/// (<see cref="WebhookSignature"/>). A wrong or missing signature, or an assessment that does not
/// exist or has no GitHub webhook, is 401 alike and nothing is stored; a good one reaches the
/// handler as a <see cref="SignedDelivery"/> feature, since the body stream is read.</summary>
public sealed class WebhookSignatureFilter(AssessmentsDbContext db, GitHubRepositories repositories, ILogger<WebhookSignatureFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var cancellationToken = http.RequestAborted;
        byte[]? body;
        try
        {
            body = await ReadBodyAsync(http.Request, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            // The sender hung up, or sent less than it announced: nothing to check and nothing
            // stored, and no fault of ours to log as an error (a load test's timeouts did this by
            // the thousand).
            logger.LogInformation("GitHub webhook for {Path} cut short: {Reason}", http.Request.Path, e.Message);
            return TypedResults.Problem(detail: $"The body was cut short: {e.Message}", statusCode: e.StatusCode);
        }

        if (body is null)
        {
            return TypedResults.Problem(detail: $"The body is larger than {GitHubWebhookEndpoints.MaxBodyBytes >> 20} MB.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var assessmentId = Guid.TryParse(http.Request.RouteValues["assessmentId"]?.ToString(), out var id) ? id : Guid.Empty;
        var assessment = await db.Assessments.AsNoTracking().Include(a => a.Candidate)
            .SingleOrDefaultAsync(a => a.Id == assessmentId && a.RepositoryHost == RepositoryHost.GitHub, cancellationToken);
        var secret = assessment is null ? null : repositories.WebhookSecret(assessment);
        if (secret is null || !WebhookSignature.IsValid(secret, body, http.Request.Headers["X-Hub-Signature-256"]))
        {
            // The same answer for an unknown assessment: nobody learns which exist.
            logger.LogWarning("GitHub webhook for {AssessmentId} refused: signature missing or wrong", assessmentId);
            return TypedResults.Problem(detail: "X-Hub-Signature-256 is missing or does not sign this body with the webhook's secret.", statusCode: StatusCodes.Status401Unauthorized);
        }

        http.Features.Set(new SignedDelivery(assessment!, body));
        return await next(context);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > GitHubWebhookEndpoints.MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > GitHubWebhookEndpoints.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
