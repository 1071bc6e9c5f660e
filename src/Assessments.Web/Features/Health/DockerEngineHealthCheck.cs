using Assessments.Web.Features.Sandbox;
using Docker.DotNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Assessments.Web.Features.Health;

/// <summary>Ready when the Docker engine a worker grades with answers a ping. A worker without
/// its engine must not look ready, or jobs would be taken only to fail.</summary>
internal sealed class DockerEngineHealthCheck(IOptions<SandboxOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var sandbox = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(sandbox.DockerPingTimeout);
        try
        {
            using var client = new DockerClientBuilder()
                .WithEndpoint(new Uri(sandbox.DockerEndpoint))
                .WithTimeout(sandbox.DockerPingTimeout)
                .Build();
            await client.System.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy($"Docker engine at {sandbox.DockerEndpoint} answered");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure to reach the engine (socket gone, refused, timed out, bad answer) means
            // not ready; the message names the endpoint so an operator knows what to look at.
            return HealthCheckResult.Unhealthy($"Docker engine at {sandbox.DockerEndpoint} did not answer: {e.GetBaseException().Message}");
        }
    }
}
