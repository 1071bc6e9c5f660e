using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Assessments.Runner.Execution;
using Assessments.Runner.Results;
using Assessments.Web.Features.Operations;
using Npgsql;

namespace Assessments.Web.Features.Grading;

/// <summary>The worker's half of live progress: each stage's start and end becomes a
/// <see cref="GradingStageEvent"/> row, written in the order the engine reports them, and a
/// PostgreSQL <c>NOTIFY</c> on <see cref="Channel"/> with the run's id, which every web process
/// listens to (<see cref="GradingNotifications"/>). The row is the record and the notification
/// only a nudge: a listener that misses one still finds the row. A failed write is logged and
/// costs the live display a line, never the grading. Each finished stage is also a span under the
/// job's (<see cref="OperationsTelemetry"/>), carrying the grading's ids.</summary>
public sealed class StageRecorder : IProgress<GradingProgress>, IAsyncDisposable
{
    /// <summary>The notification channel; the payload is the grading run's id.</summary>
    public const string Channel = "grading_progress";

    private const string Insert = """
        WITH inserted AS (
            INSERT INTO grading_stage_events (grading_run_id, attempt, stage, side, status, duration_ms, exit_code, "at")
            VALUES ($1, $2, $3, $4, $5, $6, $7, now())
            RETURNING grading_run_id)
        SELECT pg_notify('grading_progress', grading_run_id::text) FROM inserted
        """;

    private readonly Channel<GradingProgress> _events = System.Threading.Channels.Channel.CreateUnbounded<GradingProgress>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource _dataSource;
    private readonly Guid _runId;
    private readonly int _attempt;
    private readonly StringBuilder _log;
    private readonly int _logCap;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private readonly ActivityContext _parent;
    private readonly KeyValuePair<string, object?>[] _traceTags;

    /// <param name="traceTags">The ids each stage's span carries (<see cref="OperationsTelemetry.GradingTags"/>).</param>
    public StageRecorder(NpgsqlDataSource dataSource, Guid runId, int attempt, StringBuilder log, int logCap, ILogger logger, KeyValuePair<string, object?>[] traceTags)
    {
        _parent = Activity.Current?.Context ?? default;
        _traceTags = traceTags;
        _dataSource = dataSource;
        _runId = runId;
        _attempt = attempt;
        _log = log;
        _logCap = logCap;
        _logger = logger;
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>Called by the engine on its own thread: appends the log line at once and queues
    /// the row, so the grading never waits on the database.</summary>
    public void Report(GradingProgress value)
    {
        if (value.Finished is { } stage)
        {
            lock (_log)
            {
                if (_log.Length < _logCap)
                {
                    _log.AppendLine($"{stage.Name} [{stage.Side.ToString().ToLowerInvariant()}] {stage.Status.ToString().ToLowerInvariant()} in {stage.DurationMs / 1000:0.0} s");
                }
            }

            Trace(stage);
        }

        _events.Writer.TryWrite(value);
    }

    /// <summary>The stage as a span that ended now and began its duration ago: the engine reports a
    /// stage once it is over, with how long it took.</summary>
    private void Trace(StageOutcome stage)
    {
        if (!OperationsTelemetry.Source.HasListeners())
        {
            return;
        }

        var end = DateTimeOffset.UtcNow;
        using var span = OperationsTelemetry.Source.StartActivity($"stage {stage.Name}", ActivityKind.Internal, _parent, _traceTags, startTime: end - TimeSpan.FromMilliseconds(stage.DurationMs));
        if (span is null)
        {
            return;
        }

        span.SetTag("assessments.stage.name", stage.Name);
        span.SetTag("assessments.stage.side", stage.Side.ToString().ToLowerInvariant());
        span.SetTag("assessments.stage.status", stage.Status.ToString().ToLowerInvariant());
        span.SetTag("assessments.stage.exit_code", stage.ExitCode);
        if (stage.Status != StageStatus.Ok)
        {
            span.SetStatus(ActivityStatusCode.Error, $"{stage.Name} {stage.Status}");
        }

        span.SetEndTime(end.UtcDateTime);
    }

    /// <summary>Sends a notification without a row: the run started or finished.</summary>
    public static async Task NotifyAsync(NpgsqlDataSource dataSource, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_notify('grading_progress', $1)");
        command.Parameters.AddWithValue(runId.ToString());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task WriteAllAsync()
    {
        await foreach (var progress in _events.Reader.ReadAllAsync())
        {
            try
            {
                await using var command = _dataSource.CreateCommand(Insert);
                var finished = progress.Finished;
                command.Parameters.AddWithValue(_runId);
                command.Parameters.AddWithValue(_attempt);
                command.Parameters.AddWithValue(progress.Stage.Length > 128 ? progress.Stage[..128] : progress.Stage);
                command.Parameters.AddWithValue(StoredReports.Stored<StageSide>(progress.Side).ToString());
                command.Parameters.AddWithValue(finished is null ? DBNull.Value : StoredReports.Stored<StageResult>(finished.Status).ToString());
                command.Parameters.AddWithValue(finished is null ? DBNull.Value : finished.DurationMs);
                command.Parameters.AddWithValue(finished?.ExitCode is { } code ? code : DBNull.Value);
                await command.ExecuteNonQueryAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                _logger.LogWarning(e, "Could not record stage {Stage} of grading {GradingRunId} for the live display", progress.Stage, _runId);
            }
        }
    }

    /// <summary>Writes what is still queued; the grading's result is stored after this.</summary>
    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _writer;
    }
}
