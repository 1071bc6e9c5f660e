using Assessments.Web.Features.Account;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Assessments.Web.Features.Jobs;

public static class WorkerProbeEndpoints
{
    public sealed record ProbeView(Guid Id, string Queue, DateTimeOffset RequestedAt, string RequestedBy, DateTimeOffset? CompletedAt, string? CompletedBy, bool? DataProtectionShared, string? DataProtectionError);

    /// <summary><c>POST /ops/worker-probes?queue=grading</c> and <c>GET /ops/worker-probes/{id}</c>, operators only.</summary>
    public static IEndpointRouteBuilder MapWorkerProbes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/ops/worker-probes").RequireAuthorization(AuthorizationPolicies.Operator).DisableAntiforgery();
        group.MapPost("/", RequestProbe);
        group.MapGet("/{id:guid}", GetProbe);
        return app;
    }

    private static async Task<Results<Accepted<ProbeView>, ValidationProblem>> RequestProbe(
        WorkerProbes probes, CancellationToken cancellationToken, string queue = JobQueues.Grading)
    {
        if (!JobQueues.All.Contains(queue))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["queue"] = [$"Unknown queue '{queue}'; queues are {string.Join(", ", JobQueues.All)}."],
            });
        }

        var probe = await probes.RequestAsync(queue, cancellationToken);
        return TypedResults.Accepted($"/ops/worker-probes/{probe.Id}", ToView(probe));
    }

    private static async Task<Results<Ok<ProbeView>, NotFound>> GetProbe(Guid id, WorkerProbes probes, CancellationToken cancellationToken)
    {
        var probe = await probes.FindAsync(id, cancellationToken);
        return probe is null ? TypedResults.NotFound() : TypedResults.Ok(ToView(probe));
    }

    private static ProbeView ToView(Data.WorkerProbe p) => new(
        p.Id,
        p.Queue,
        p.RequestedAt,
        $"{p.RequestedByHost}:{p.RequestedByProcessId}",
        p.CompletedAt,
        p.CompletedAt is null ? null : $"{p.CompletedByHost}:{p.CompletedByProcessId}",
        p.DataProtectionShared,
        p.DataProtectionError);
}
