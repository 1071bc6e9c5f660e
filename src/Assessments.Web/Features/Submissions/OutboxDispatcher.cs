using Assessments.Web.Features.Grading;
using Hangfire;

namespace Assessments.Web.Features.Submissions;

/// <summary>Turns what was committed into jobs, at least once and without doubles: queued gradings
/// without a Hangfire job get one (<see cref="GradingQueue.AttachJobsAsync"/>), and pending outbox
/// messages become theirs (GitHub provisioning). Every process runs one; they share the work
/// through row locks (<c>FOR UPDATE SKIP LOCKED</c>), and each step is safe to repeat after a
/// crash. The process that recorded a push wakes its dispatcher at once; a poll catches what a
/// crashed process left.</summary>
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
        while (await AttachGradingJobsAsync(cancellationToken) > 0)
        {
        }

        while (await DispatchMessagesAsync(cancellationToken) > 0)
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

    private async Task<int> AttachGradingJobsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<GradingQueue>().AttachJobsAsync(cancellationToken);
    }

    private async Task<int> DispatchMessagesAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        var handlers = scope.ServiceProvider.GetServices<IOutboxHandler>().ToDictionary(h => h.Kind, StringComparer.Ordinal);
        var messages = await db.OutboxMessages
            .FromSql($"SELECT * FROM outbox_messages WHERE dispatched_at IS NULL ORDER BY id LIMIT {Batch} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        foreach (var message in messages)
        {
            message.Attempts++;
            try
            {
                var handler = handlers.GetValueOrDefault(message.Kind) ?? throw new UndeliverableMessageException($"unknown kind '{message.Kind}'");
                handler.Handle(message, jobs);
                message.DispatchedAt = DateTimeOffset.UtcNow;
                message.LastError = null;
            }
            catch (UndeliverableMessageException e)
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
}
