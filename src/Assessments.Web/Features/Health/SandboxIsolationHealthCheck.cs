using Assessments.Web.Features.Sandbox;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assessments.Web.Features.Health;

/// <summary>Ready when the sandbox image is there and the isolation its containers report from
/// inside meets the operator's minimum; the isolation itself is in the check's data, so
/// <c>/readyz</c> of a worker says what candidates' code actually runs under.</summary>
internal sealed class SandboxIsolationHealthCheck(SandboxRuntime sandbox) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var (isolation, shortfalls) = await sandbox.IsolationAsync(cancellationToken);
            var data = isolation.ToDictionary(kv => kv.Key, kv => (object)kv.Value);
            return shortfalls.Count == 0
                ? HealthCheckResult.Healthy("Sandbox isolation meets the minimum", data)
                : HealthCheckResult.Unhealthy($"Sandbox isolation is below the minimum, candidate code is refused: {string.Join("; ", shortfalls)}", data: data);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The sandbox cannot grade: {e.GetBaseException().Message}");
        }
    }
}
