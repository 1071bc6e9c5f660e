using Hangfire;
using Npgsql;

namespace Assessments.Web.Features.Operations;

/// <summary>A Hangfire server a worker process runs, as its last heartbeat reported it.</summary>
public sealed record WorkerServer(string Name, int Workers, IReadOnlyList<string> Queues, DateTime? StartedAt, DateTime? Heartbeat);

/// <summary>Push-to-result over one stretch of time: how many gradings, and their median and 95th
/// percentile in seconds (null when there were none).</summary>
public sealed record LatencySummary(int Count, double? Median, double? P95);

/// <summary>A count over the day by what kind it was: verdicts, sandbox causes, webhook outcomes.</summary>
public sealed record Tally(string Label, long Count);

/// <summary>Everything <c>/ops</c> shows: the figures now, and the last day in hourly buckets
/// (<see cref="Hours"/>, oldest first, the current hour last) or, for the queue, quarter hours.</summary>
public sealed record OperationsDay(
    OperationsSnapshot Now,
    IReadOnlyList<WorkerServer> Workers,
    IReadOnlyList<DateTimeOffset> Hours,
    IReadOnlyList<DateTimeOffset> Quarters,
    IReadOnlyList<double?> Queued,
    IReadOnlyList<double?> Running,
    IReadOnlyList<double?> OutboxBacklog,
    LatencySummary Latency,
    IReadOnlyList<LatencySummary> LatencyByHour,
    IReadOnlyList<Tally> Verdicts,
    IReadOnlyList<Tally> SandboxErrors,
    IReadOnlyDictionary<string, IReadOnlyList<long>> SandboxErrorsByHour,
    IReadOnlyList<Tally> Deliveries,
    IReadOnlyDictionary<string, IReadOnlyList<long>> DeliveriesByHour);

/// <summary>Reads the day behind <c>/ops</c>: the queue's samples and the counts from the sampler's
/// tables, and push-to-result and verdicts from the gradings themselves (the record, not a
/// sample of it).</summary>
public sealed class OperationsHistory(AssessmentsDbContext db, NpgsqlDataSource dataSource, JobStorage jobs, TimeProvider time)
{
    private const string LatencyQuery = """
        SELECT date_trunc('hour', r.finished_at) AS hour, count(*)::int,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.finished_at - s.received_at)),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM r.finished_at - s.received_at))
        FROM grading_runs r JOIN submissions s ON s.id = r.submission_id
        WHERE r.kind = 'Candidate' AND r.status IN ('Completed', 'Failed') AND r.finished_at >= $1
        GROUP BY ROLLUP (date_trunc('hour', r.finished_at)) ORDER BY 1 NULLS LAST
        """;

    private const string CountsQuery = """
        SELECT date_trunc('hour', minute), name, label, sum(count)::bigint
        FROM operation_counts WHERE minute >= $1 AND name = ANY($2)
        GROUP BY 1, 2, 3
        """;

    public async Task<OperationsDay> LoadAsync(CancellationToken cancellationToken)
    {
        var now = await OperationsSnapshot.ReadAsync(dataSource, time, cancellationToken);
        var currentHour = Truncate(now.At, TimeSpan.FromHours(1));
        var hours = Enumerable.Range(0, 24).Select(i => currentHour.AddHours(i - 23)).ToList();
        var from = hours[0];
        var currentQuarter = Truncate(now.At, TimeSpan.FromMinutes(15));
        var quarters = Enumerable.Range(0, 96).Select(i => currentQuarter.AddMinutes(15 * (i - 95))).ToList();

        // The queue: the largest figure sampled in each quarter hour; none sampled is a gap, not a zero.
        var gauges = await db.OperationGauges.AsNoTracking().Where(g => g.Minute >= quarters[0]).ToListAsync(cancellationToken);
        IReadOnlyList<double?> Series(string name)
        {
            var byQuarter = gauges.Where(g => g.Name == name).ToLookup(g => Truncate(g.Minute, TimeSpan.FromMinutes(15)), g => g.Value);
            return [.. quarters.Select(q => byQuarter.Contains(q) ? byQuarter[q].Max() : (double?)null)];
        }

        var (latency, latencyByHour) = await LatencyAsync(from, hours, cancellationToken);
        var verdicts = await db.GradingRuns.AsNoTracking()
            .Where(r => r.Kind == GradingKind.Candidate && r.FinishedAt >= from && r.Verdict != null)
            .GroupBy(r => r.Verdict)
            .Select(g => new { Verdict = g.Key!.Value, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        var counts = await CountsAsync(from, [OperationsMetrics.Counts.SandboxErrors, OperationsMetrics.Counts.WebhookDeliveries], cancellationToken);

        return new OperationsDay(
            now,
            Workers(),
            hours,
            quarters,
            Series(OperationsSampler.Gauges.Queued),
            Series(OperationsSampler.Gauges.Running),
            Series(OperationsSampler.Gauges.OutboxBacklog),
            latency,
            latencyByHour,
            [.. verdicts.OrderByDescending(v => v.Count).Select(v => new Tally(OperationsMetrics.Word(v.Verdict), v.Count))],
            Totals(counts, OperationsMetrics.Counts.SandboxErrors),
            ByHour(counts, OperationsMetrics.Counts.SandboxErrors, hours),
            Totals(counts, OperationsMetrics.Counts.WebhookDeliveries),
            ByHour(counts, OperationsMetrics.Counts.WebhookDeliveries, hours));
    }

    private async Task<(LatencySummary Day, IReadOnlyList<LatencySummary> ByHour)> LatencyAsync(DateTimeOffset from, IReadOnlyList<DateTimeOffset> hours, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(LatencyQuery);
        command.Parameters.AddWithValue(from);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var byHour = new Dictionary<DateTimeOffset, LatencySummary>();
        var day = new LatencySummary(0, null, null);
        while (await reader.ReadAsync(cancellationToken))
        {
            var summary = new LatencySummary(reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetDouble(3));
            if (reader.IsDBNull(0))
            {
                day = summary;  // the rollup's row: the whole day
            }
            else
            {
                byHour[reader.GetFieldValue<DateTimeOffset>(0)] = summary;
            }
        }

        return (day, [.. hours.Select(h => byHour.GetValueOrDefault(h) ?? new LatencySummary(0, null, null))]);
    }

    private async Task<IReadOnlyList<(DateTimeOffset Hour, string Name, string Label, long Count)>> CountsAsync(DateTimeOffset from, string[] names, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CountsQuery);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(names);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(DateTimeOffset, string, string, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        }

        return rows;
    }

    private static IReadOnlyList<Tally> Totals(IEnumerable<(DateTimeOffset Hour, string Name, string Label, long Count)> counts, string name) =>
        [.. counts.Where(c => c.Name == name).GroupBy(c => c.Label).Select(g => new Tally(g.Key, g.Sum(c => c.Count))).OrderByDescending(t => t.Count).ThenBy(t => t.Label, StringComparer.Ordinal)];

    private static IReadOnlyDictionary<string, IReadOnlyList<long>> ByHour(IEnumerable<(DateTimeOffset Hour, string Name, string Label, long Count)> counts, string name, IReadOnlyList<DateTimeOffset> hours) =>
        counts.Where(c => c.Name == name).GroupBy(c => c.Label).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<long>)[.. hours.Select(h => g.Where(c => c.Hour == h).Sum(c => c.Count))]);

    /// <summary>Hangfire's servers by their last heartbeat: which worker processes are alive, and
    /// how many gradings each can run at once.</summary>
    private IReadOnlyList<WorkerServer> Workers() =>
        [.. jobs.GetMonitoringApi().Servers()
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new WorkerServer(s.Name, s.WorkersCount, [.. s.Queues], s.StartedAt, s.Heartbeat))];

    private static DateTimeOffset Truncate(DateTimeOffset at, TimeSpan step)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % step.Ticks), TimeSpan.Zero);
    }
}
