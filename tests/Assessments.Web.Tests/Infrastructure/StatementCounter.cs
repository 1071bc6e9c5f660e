using System.Collections.Concurrent;
using System.Diagnostics;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>Counts the SQL statements EF Core runs for one HTTP request to the in-process app.
/// The request carries a fresh W3C trace id; ASP.NET Core adopts it, and every EF command event
/// raised while serving that request sees it in <see cref="Activity.Current"/>. Requests from
/// tests running in parallel have other trace ids and are not counted.</summary>
public sealed class StatementCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string CommandExecuted = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted";

    private readonly ConcurrentDictionary<ActivityTraceId, int> _counts = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly ActivityListener _activities;

    public StatementCounter()
    {
        // Without a listener ASP.NET Core creates no request Activity, and there is nothing to match on.
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(_activities);
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    /// <summary>Sends a GET and returns the response with the number of statements it took.</summary>
    public async Task<(HttpResponseMessage Response, int Statements)> GetAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var response = await client.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return (response, _counts.GetValueOrDefault(traceId));
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == "Microsoft.EntityFrameworkCore")
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == CommandExecuted && Activity.Current is { } activity)
        {
            _counts.AddOrUpdate(activity.TraceId, 1, (_, n) => n + 1);
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }

        _activities.Dispose();
    }
}
