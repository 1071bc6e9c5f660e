using System.Text.Json;
using Assessments.Runner.Results;
using Assessments.Web.Data;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Grading;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Features.Submissions;

/// <summary>Turns committed outbox messages into gradings (and GitHub provisioning jobs), at least once and without doubles. Every
/// process runs one; they share the work through row locks (<c>FOR UPDATE SKIP LOCKED</c>). Two
/// steps, each safe to repeat after a crash:
/// <list type="number">
/// <item>a pending message becomes a queued <see cref="GradingRun"/>, and is marked dispatched, in
/// one transaction;</item>
/// <item>a queued run without a Hangfire job gets one.</item>
/// </list>
/// The process that recorded a push wakes its dispatcher at once; a poll catches what a crashed
/// process left.</summary>
public sealed class OutboxDispatcher(IServiceScopeFactory scopes, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int Batch = 50;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Dispatches now rather than at the next poll.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Runs both steps until nothing is left.</summary>
    public async Task DispatchAsync(CancellationToken cancellationToken)
    {
        while (await QueueRunsAsync(cancellationToken) > 0)
        {
        }

        while (await EnqueueJobsAsync(cancellationToken) > 0)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Outbox dispatch failed; it is tried again at the next poll");
            }

            try
            {
                await _wake.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<int> QueueRunsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        var messages = await db.OutboxMessages
            .FromSql($"SELECT * FROM outbox_messages WHERE dispatched_at IS NULL ORDER BY id LIMIT {Batch} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        foreach (var message in messages)
        {
            message.Attempts++;
            try
            {
                await HandleAsync(db, jobs, message, cancellationToken);
                message.DispatchedAt = DateTimeOffset.UtcNow;
                message.LastError = null;
            }
            catch (OutboxMessageException e)
            {
                // Nothing a retry would change: kept, with why, for an operator; not tried again.
                message.DispatchedAt = DateTimeOffset.UtcNow;
                message.LastError = e.Message;
                logger.LogError("Outbox message {MessageId} ({Kind}) cannot be dispatched: {Error}", message.Id, message.Kind, e.Message);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return messages.Count;
    }

    private static async Task HandleAsync(AssessmentsDbContext db, IBackgroundJobClient jobs, OutboxMessage message, CancellationToken cancellationToken)
    {
        switch (message.Kind)
        {
            case OutboxKinds.GradeSubmission:
                var grade = Read<GradeSubmissionMessage>(message);
                var submission = await db.Submissions.Include(s => s.Assessment)
                    .SingleOrDefaultAsync(s => s.Id == grade.SubmissionId, cancellationToken)
                    ?? throw new OutboxMessageException($"no submission {grade.SubmissionId}");
                db.GradingRuns.Add(new GradingRun
                {
                    Kind = SubjectKind.Candidate,
                    SubmissionId = submission.Id,
                    ScenarioVersionId = submission.Assessment!.ScenarioVersionId,
                });
                break;
            case OutboxKinds.ProvisionGitHubRepository:
                // Provisioning is idempotent, so a second job after a crash here does no harm.
                var provision = Read<ProvisionGitHubRepositoryMessage>(message);
                jobs.Enqueue<GitHubProvisioningJob>(job => job.RunAsync(provision.AssessmentId, CancellationToken.None));
                break;
            default:
                throw new OutboxMessageException($"unknown kind '{message.Kind}'");
        }
    }

    private static T Read<T>(OutboxMessage message) =>
        JsonSerializer.Deserialize<T>(message.Payload) ?? throw new OutboxMessageException($"payload '{message.Payload}' is empty");

    private async Task<int> EnqueueJobsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var queued = nameof(GradingStatus.Queued);
        var runs = await db.GradingRuns
            .FromSql($"SELECT * FROM grading_runs WHERE status = {queued} AND hangfire_job_id IS NULL ORDER BY queued_at LIMIT {Batch} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        foreach (var run in runs)
        {
            // The run is committed already (step 1), so the job finds it even if it starts before
            // this transaction ends; only the job's id waits for the commit.
            run.HangfireJobId = jobs.Enqueue<GradingJob>(job => job.RunAsync(run.Id, CancellationToken.None));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return runs.Count;
    }

    private sealed class OutboxMessageException(string message) : Exception(message);
}
