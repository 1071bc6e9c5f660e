using Npgsql;
using NpgsqlTypes;

namespace Assessments.Web.Features.Operations;

/// <summary>Once per <see cref="OperationsOptions.SampleInterval"/>, in every server process: reads
/// the grading queue and the outbox (the gauges at <c>/metrics</c> report what it read), writes
/// them to the minute's history, and adds the counts this process made since the last time. On
/// shutdown it adds what is left; a process killed outright loses at most one interval's counts.
/// A database that does not answer costs the history a sample, never a count: they wait for the
/// next pass.</summary>
public sealed class OperationsSampler(
    NpgsqlDataSource dataSource,
    OperationsMetrics metrics,
    IOptions<OperationsOptions> options,
    TimeProvider time,
    ILogger<OperationsSampler> logger) : BackgroundService
{
    /// <summary>The gauges' names in <c>operation_gauges</c>.</summary>
    public static class Gauges
    {
        public const string Queued = "gradings.queued";

        public const string OldestQueuedSeconds = "gradings.oldest_queued_seconds";

        public const string Running = "gradings.running";

        public const string OutboxBacklog = "outbox.backlog";
    }

    private const string AddCounts = """
        INSERT INTO operation_counts (minute, name, label, count)
        SELECT date_trunc('minute', now()), n, l, c FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(n, l, c)
        ON CONFLICT (minute, name, label) DO UPDATE SET count = operation_counts.count + excluded.count
        """;

    private const string SetGauges = """
        INSERT INTO operation_gauges (minute, name, value)
        SELECT date_trunc('minute', now()), n, v FROM unnest($1::text[], $2::double precision[]) AS t(n, v)
        ON CONFLICT (minute, name) DO UPDATE SET value = excluded.value
        """;

    private DateTimeOffset _pruned = DateTimeOffset.MinValue;

    /// <summary>One pass: the snapshot, its history row, the pending counts. Public for tests,
    /// which run it instead of waiting for the interval.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var snapshot = await OperationsSnapshot.ReadAsync(dataSource, time, cancellationToken);
        metrics.Snapshot = snapshot;
        await using (var gauges = dataSource.CreateCommand(SetGauges))
        {
            gauges.Parameters.Add(new NpgsqlParameter { Value = new[] { Gauges.Queued, Gauges.OldestQueuedSeconds, Gauges.Running, Gauges.OutboxBacklog }, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            gauges.Parameters.Add(new NpgsqlParameter { Value = new[] { snapshot.Queued, snapshot.OldestQueuedAge?.TotalSeconds ?? 0, snapshot.Running, snapshot.OutboxBacklog }, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
            await gauges.ExecuteNonQueryAsync(cancellationToken);
        }

        await FlushCountsAsync(cancellationToken);
        if (time.GetUtcNow() - _pruned > TimeSpan.FromHours(1))
        {
            await using var prune = dataSource.CreateBatch();
            foreach (var table in new[] { "operation_counts", "operation_gauges" })
            {
                var delete = new NpgsqlBatchCommand($"DELETE FROM {table} WHERE minute < now() - make_interval(days => $1)");
                delete.Parameters.AddWithValue(options.Value.HistoryDays);
                prune.BatchCommands.Add(delete);
            }

            await prune.ExecuteNonQueryAsync(cancellationToken);
            _pruned = time.GetUtcNow();
        }
    }

    /// <summary>Adds the counts made since the last call to the minute's history; on failure they
    /// are kept for the next call.</summary>
    public async Task FlushCountsAsync(CancellationToken cancellationToken)
    {
        var pending = metrics.TakePending();
        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            await using var command = dataSource.CreateCommand(AddCounts);
            command.Parameters.Add(new NpgsqlParameter { Value = pending.Select(p => p.Name).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = pending.Select(p => p.Label).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = pending.Select(p => p.Count).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            metrics.Return(pending);
            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        do
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(e, "Could not read or record the operations sample; the counts wait for the next one");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushCountsAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            logger.LogWarning(e, "Could not add the last counts to the operations history; they are lost");
        }
    }
}
