using System.Net;
using System.Text;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.Grading;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Assessments.Web.Tests.Features.Reviewing;

/// <summary>The worker writes stage rows and NOTIFYs from its own connection (here, a data source
/// of the test's, as another process would); the web process LISTENs and streams them.</summary>
public sealed class LiveProgressTests(WebApp app) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _worker = NpgsqlDataSource.Create(app.Database.ConnectionString);

    [Fact]
    public async Task ANotifyFromAnotherConnectionWakesTheGradingsFollowers()
    {
        var ct = TestContext.Current.CancellationToken;
        var notifications = app.Services.GetRequiredService<GradingNotifications>();
        var runId = Guid.NewGuid();
        using var follower = notifications.Follow(runId);
        using var bystander = notifications.Follow(Guid.NewGuid());

        await StageRecorder.NotifyAsync(_worker, runId, ct);

        Assert.True(await follower.WaitAsync(TimeSpan.FromMinutes(1), ct), "the follower was not woken by the notification");
        Assert.False(await bystander.WaitAsync(TimeSpan.FromMilliseconds(200), ct), "a follower of another grading was woken");
    }

    [Fact]
    public async Task StagesStreamAsTheyAreWrittenAReconnectResumesAndTheStreamEndsWithTheGrading()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = await new ReviewData(app).CreateAsync();
        var (assessment, run) = await data.AddGradedAsync(null, status: GradingStatus.Running);
        using var client = await data.SignedInAsync(ct);
        var url = $"/assessments/{assessment.Id}/gradings/{run.Id}/progress";

        // The report page shows the grading as live, and points the script at the stream.
        var page = await app.GetPageAsync(client, $"/assessments/{assessment.Id}", ct);
        Assert.Contains($"data-progress-url=\"{url}\"", page);

        using (var stream = await OpenAsync(client, url, lastEventId: null, ct))
        {
            await RecordAsync(run.Id, new GradingProgress("build", Side.Candidate, null));
            var started = await stream.NextEventAsync(ct);
            Assert.Equal("stage", started.Name);
            Assert.Contains("\"stage\":\"build\"", started.Data);
            Assert.Contains("\"status\":null", started.Data);

            await RecordAsync(run.Id, new GradingProgress("build", Side.Candidate, new StageOutcome("build", Side.Candidate, StageStatus.Ok, 1500, 0)));
            var finished = await stream.NextEventAsync(ct);
            Assert.Contains("\"status\":\"Ok\"", finished.Data);
            Assert.True(long.Parse(finished.Id!) > long.Parse(started.Id!));

            // The browser reconnects with the last id it saw and misses nothing written meanwhile.
            await RecordAsync(run.Id, new GradingProgress("hidden-tests:main", Side.Grader, null));
            using var resumed = await OpenAsync(client, url, started.Id, ct);
            var first = await resumed.NextEventAsync(ct);
            Assert.Equal(finished.Id, first.Id);
            var second = await resumed.NextEventAsync(ct);
            Assert.Contains("hidden-tests:main", second.Data);
        }

        await using (var db = app.Database.CreateContext())
        {
            var stored = await db.GradingRuns.FindAsync([run.Id], ct);
            stored!.Status = GradingStatus.Failed;
            await db.SaveChangesAsync(ct);
        }

        await StageRecorder.NotifyAsync(_worker, run.Id, ct);
        using var last = await OpenAsync(client, url, lastEventId: null, ct);
        ServerSentEvent e;
        do
        {
            e = await last.NextEventAsync(ct);
        }
        while (e.Name == "stage");
        Assert.Equal("finished", e.Name);
        Assert.Equal("Failed", e.Data);
    }

    private async Task RecordAsync(Guid runId, GradingProgress progress)
    {
        await using var recorder = new StageRecorder(_worker, runId, 1, new StringBuilder(), 1024, NullLogger.Instance, []);
        recorder.Report(progress);
    }

    private static async Task<EventStream> OpenAsync(HttpClient client, string url, string? lastEventId, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(ct)));
    }

    public async ValueTask DisposeAsync() => await _worker.DisposeAsync();

    private sealed record ServerSentEvent(string? Id, string Name, string Data);

    /// <summary>Reads events as the EventSource in the browser does, comments skipped.</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public async Task<ServerSentEvent> NextEventAsync(CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            string? id = null, name = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (name is not null)
                    {
                        return new ServerSentEvent(id, name, data.ToString());
                    }

                    continue;
                }

                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line[6..]);
                }
            }

            throw new EndOfStreamException("The stream ended before another event.");
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
