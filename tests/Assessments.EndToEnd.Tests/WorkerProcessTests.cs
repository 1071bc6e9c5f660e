using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Assessments.EndToEnd.Tests.Infrastructure;
using Assessments.Web.Data;
using Assessments.Web.Features.Jobs;
using Assessments.Web.Common;
using Assessments.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.EndToEnd.Tests;

/// <summary>A worker is the same binary in another OS process: it takes jobs a web-role process
/// enqueued, opens what that process protected, and is ready only while its Docker engine answers.</summary>
public sealed class WorkerProcessTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Theory]
    [InlineData(JobQueues.Grading)]
    [InlineData(JobQueues.Default)]
    public async Task JobEnqueuedByTheWebRoleRunsInASeparateWorkerProcess(string queue)
    {
        var ct = TestContext.Current.CancellationToken;
        var port = AssessProcess.FreePort();
        // What an OpenTelemetry collector would receive from the worker, over OTLP's http/protobuf.
        await using var collector = await OtlpCollector.StartAsync(ct);
        const string scrapeToken = "worker-scrape-token-0123456789abcdef";
        await using var worker = AssessProcess.Start(
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Assessments"] = database.ConnectionString,
                ["Operations__OtlpEndpoint"] = collector.Address,
                ["Operations__OtlpProtocol"] = "http/protobuf",
                ["Operations__ScrapeToken"] = scrapeToken,
            },
            "worker", "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await worker.WaitForStatusAsync(http, "/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1));

        // The web role, hosted in this test process: it can enqueue, it has no job server.
        await using var web = AssessmentsWebApplication.Build(
            [
                "--urls=http://127.0.0.1:0",
                $"--ConnectionStrings:Assessments={database.ConnectionString}",
                "--Web:PublicBaseUrl=http://127.0.0.1:1",
                "--Logging:LogLevel:Default=Warning",
            ],
            ServerRoles.Web);
        await web.StartAsync(ct);

        Guid probeId;
        await using (var scope = web.Services.CreateAsyncScope())
        {
            probeId = (await scope.ServiceProvider.GetRequiredService<WorkerProbes>().RequestAsync(queue, ct)).Id;
        }

        var probe = await WaitForCompletionAsync(web, probeId, worker, ct);
        Assert.Equal(Environment.ProcessId, probe.RequestedByProcessId);
        Assert.Equal(worker.ProcessId, probe.CompletedByProcessId);
        Assert.NotEqual(Environment.ProcessId, probe.CompletedByProcessId);
        Assert.True(probe.DataProtectionShared, $"The worker could not open the web role's payload: {probe.DataProtectionError}");

        // The job's span reached the collector (the exporter sends every few seconds), named for
        // the job and carrying Hangfire's id; the worker's own figures are scraped with the token.
        var traces = await collector.WaitForAsync("/v1/traces", "job WorkerProbeJob.RunAsync", TimeSpan.FromSeconds(60), ct);
        Assert.Contains("hangfire.job.id", traces);
        Assert.Contains("assessments-worker", traces);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", scrapeToken);
        var metrics = await (await http.SendAsync(scrape, ct)).Content.ReadAsStringAsync(ct);
        Assert.Contains("assessments_gradings_queued", metrics);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics", ct)).StatusCode);
        await web.StopAsync(ct);
    }

    [Fact]
    public async Task ReadinessFollowsTheWorkersDockerEngine()
    {
        var socketDir = Directory.CreateTempSubdirectory("assess-docker-");
        var socketPath = Path.Combine(socketDir.FullName, "docker.sock");
        var port = AssessProcess.FreePort();
        await using var worker = AssessProcess.Start(
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Assessments"] = database.ConnectionString,
                ["Sandbox__DockerEndpoint"] = $"unix://{socketPath}",
            },
            "worker", "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var timeout = TimeSpan.FromMinutes(1);

        try
        {
            await using (new UnixSocketProxy(socketPath, "/var/run/docker.sock"))
            {
                var ready = await worker.WaitForStatusAsync(http, "/readyz", HttpStatusCode.OK, timeout);
                Assert.Equal("Healthy", Status(ready));
            }

            Assert.False(File.Exists(socketPath));
            var notReady = await worker.WaitForStatusAsync(http, "/readyz", HttpStatusCode.ServiceUnavailable, timeout);
            // Anyone may ask whether it is ready; only the worker's log says why not.
            Assert.Equal("Unhealthy", Status(notReady));
            Assert.False(JsonDocument.Parse(notReady).RootElement.TryGetProperty("checks", out _), notReady);
            await worker.WaitForOutputAsync("Not ready: docker is Unhealthy", TimeSpan.FromSeconds(10));
            Assert.Contains(socketPath, worker.StandardOutput + worker.StandardError);

            await using (new UnixSocketProxy(socketPath, "/var/run/docker.sock"))
            {
                await worker.WaitForStatusAsync(http, "/readyz", HttpStatusCode.OK, timeout);
            }
        }
        finally
        {
            socketDir.Delete(recursive: true);
        }
    }

    private static string? Status(string readyz) =>
        JsonDocument.Parse(readyz).RootElement.GetProperty("status").GetString();

    private static async Task<WorkerProbe> WaitForCompletionAsync(WebApplication web, Guid probeId, AssessProcess worker, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = web.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
            var probe = await db.WorkerProbes.AsNoTracking().SingleAsync(p => p.Id == probeId, ct);
            if (probe.CompletedAt is not null)
            {
                return probe;
            }

            Assert.False(worker.HasExited, $"The worker exited.\n{worker.StandardError}\n{worker.StandardOutput}");
            await Task.Delay(200, ct);
        }

        Assert.Fail($"No worker completed probe {probeId} within a minute.\nworker stdout:\n{worker.StandardOutput}\nworker stderr:\n{worker.StandardError}");
        return null!;
    }
}
