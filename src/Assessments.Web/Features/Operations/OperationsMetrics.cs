using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Assessments.Runner.Results;
using Npgsql;

namespace Assessments.Web.Features.Operations;

/// <summary>The figures an operator asks about, as OpenTelemetry instruments of the
/// <see cref="OperationsTelemetry.Name"/> meter (scraped at <c>/metrics</c>, pushed over OTLP):
/// webhook deliveries by outcome, gradings finished by verdict, sandbox errors by cause, the time
/// from a push to its result; and, from the sampler's latest look at the database, the queue, the
/// gradings running and the outbox's backlog. Every count is also kept as a delta until the
/// <see cref="OperationsSampler"/> adds it to the day's history, so <c>/ops</c> can show the last
/// day without a monitoring system beside the product.</summary>
public sealed class OperationsMetrics
{
    /// <summary>History names of the counts (<see cref="OperationCount.Name"/>).</summary>
    public static class Counts
    {
        public const string WebhookDeliveries = "webhook.deliveries";

        public const string CandidateGradings = "gradings.finished.candidate";

        public const string VerificationGradings = "gradings.finished.verification";

        public const string SandboxErrors = "sandbox.errors";
    }

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _sandboxErrors;
    private readonly Histogram<double> _pushToResult;
    private readonly ConcurrentDictionary<(string Name, string Label), long> _pending = new();
    private volatile OperationsSnapshot? _snapshot;

    public OperationsMetrics(IMeterFactory meters)
        : this(meters, OperationsTelemetry.Name)
    {
    }

    /// <summary>With a meter of another name, for tests that make their own beside a running app:
    /// the app's OpenTelemetry listens to every meter named <see cref="OperationsTelemetry.Name"/>
    /// in the process, and a second one of that name, disposed with its test, would end the
    /// app's series it shares.</summary>
    internal OperationsMetrics(IMeterFactory meters, string meterName)
    {
        var meter = meters.Create(meterName);
        _deliveries = meter.CreateCounter<long>("assessments.webhook.deliveries", "{delivery}", "Webhook deliveries answered, by outcome: accepted, duplicate (answered before) or rejected (bad signature, body or headers).");
        _finished = meter.CreateCounter<long>("assessments.gradings.finished", "{grading}", "Gradings that ended, by kind (candidate, verification) and verdict; sandbox-error when every attempt failed on our side.");
        _sandboxErrors = meter.CreateCounter<long>("assessments.sandbox.errors", "{attempt}", "Grading attempts that ended in a sandbox error (ours, retried), by cause: the stage that failed, or the exception.");
        _pushToResult = meter.CreateHistogram("assessments.gradings.push_to_result", "s", "From a push being recorded to its grading's result being stored.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 3600] });
        meter.CreateObservableGauge("assessments.gradings.queued", () => _snapshot?.Queued ?? 0, "{grading}", "Gradings waiting for a worker (every process reports the same database; take the max).");
        meter.CreateObservableGauge("assessments.gradings.oldest_queued_age", () => _snapshot?.OldestQueuedAge?.TotalSeconds ?? 0, "s", "How long the oldest waiting grading has waited; 0 when none waits.");
        meter.CreateObservableGauge("assessments.gradings.running", () => _snapshot?.Running ?? 0, "{grading}", "Gradings a worker is running now.");
        meter.CreateObservableGauge("assessments.outbox.backlog", () => _snapshot?.OutboxBacklog ?? 0, "{message}", "Committed work not yet handed to Hangfire: pending outbox messages and recorded gradings without a job.");
        meter.CreateObservableGauge("assessments.outbox.oldest_age", () => _snapshot?.OldestOutboxAge?.TotalSeconds ?? 0, "s", "How long the oldest undispatched outbox message has waited; 0 when none waits.");
    }

    /// <summary>The sampler's latest look at the database; null before its first.</summary>
    public OperationsSnapshot? Snapshot
    {
        get => _snapshot;
        set => _snapshot = value;
    }

    /// <summary>A webhook delivery was answered: <c>accepted</c>, <c>duplicate</c> or <c>rejected</c>.</summary>
    public void WebhookDelivery(string provider, string outcome)
    {
        _deliveries.Add(1, new("provider", provider), new("outcome", outcome));
        Pend(Counts.WebhookDeliveries, outcome);
    }

    /// <summary>A grading ended for good: its verdict, and for a candidate's the time since the push.</summary>
    public void GradingFinished(GradingKind kind, GradingVerdict verdict, TimeSpan? sincePush)
    {
        var kindName = Word(kind);
        var verdictName = Word(verdict);
        _finished.Add(1, new("kind", kindName), new("verdict", verdictName));
        Pend(kind == GradingKind.Verification ? Counts.VerificationGradings : Counts.CandidateGradings, verdictName);
        if (sincePush is { } latency)
        {
            _pushToResult.Record(Math.Max(0, latency.TotalSeconds), new KeyValuePair<string, object?>("verdict", verdictName));
        }
    }

    /// <summary>An attempt ended in a sandbox error: the stage that failed, or the exception's type.</summary>
    public void SandboxError(string cause)
    {
        var bounded = cause.Length > 64 ? cause[..64] : cause;
        _sandboxErrors.Add(1, new KeyValuePair<string, object?>("cause", bounded));
        Pend(Counts.SandboxErrors, bounded);
    }

    /// <summary>The cause of a sandbox error as a short, bounded name: the stage without what
    /// follows its colon (<c>hidden-tests</c>, not <c>hidden-tests:main</c>).</summary>
    public static string Cause(GradingReport report) => report.Stage is { Length: > 0 } stage ? stage.Split(':')[0] : "unknown";

    /// <summary>The counts since the last call, taken out: the sampler adds them to the history.
    /// A count added while this runs is kept for the next call, never lost.</summary>
    public IReadOnlyList<(string Name, string Label, long Count)> TakePending()
    {
        var taken = new List<(string, string, long)>();
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var count) && count > 0)
            {
                taken.Add((key.Name, key.Label, count));
            }
        }

        return taken;
    }

    /// <summary>Puts counts the history could not take back, to be written with the next ones.</summary>
    public void Return(IEnumerable<(string Name, string Label, long Count)> counts)
    {
        foreach (var (name, label, count) in counts)
        {
            _pending.AddOrUpdate((name, label), count, (_, pending) => pending + count);
        }
    }

    private void Pend(string name, string label) => _pending.AddOrUpdate((name, label), 1, (_, count) => count + 1);

    /// <summary>How labels name an enum's member: <c>TestsFailed</c> → <c>tests-failed</c>.</summary>
    internal static string Word(Enum value) => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}

/// <summary>What the database says now: the grading queue and the outbox. Ages are measured by the
/// database's clock, the one that stamped the rows, so a worker whose clock drifts reads them right.</summary>
public sealed record OperationsSnapshot(
    DateTimeOffset At,
    int Queued,
    TimeSpan? OldestQueuedAge,
    int Running,
    int OutboxBacklog,
    TimeSpan? OldestOutboxAge)
{
    private const string SnapshotQuery = """
        SELECT
            (SELECT count(*) FROM grading_runs WHERE status = 'Queued')::int,
            (SELECT now() - min(queued_at) FROM grading_runs WHERE status = 'Queued'),
            (SELECT count(*) FROM grading_runs WHERE status = 'Running')::int,
            (SELECT count(*) FROM outbox_messages WHERE dispatched_at IS NULL)::int
              + (SELECT count(*) FROM grading_runs WHERE status = 'Queued' AND hangfire_job_id IS NULL)::int,
            (SELECT now() - min(created_at) FROM outbox_messages WHERE dispatched_at IS NULL)
        """;

    public static async Task<OperationsSnapshot> ReadAsync(NpgsqlDataSource dataSource, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SnapshotQuery);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OperationsSnapshot(
            time.GetUtcNow(),
            reader.GetInt32(0),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<TimeSpan>(1),
            reader.GetInt32(2),
            reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<TimeSpan>(4));
    }
}
