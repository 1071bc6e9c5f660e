using System.Text.Json;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Assessments.Web.Data;

/// <summary>The "ready for your review" mail, queued as an outbox message in the same save that
/// makes an assessment ready for review, whichever code made it so (the close, the final
/// grading's end): an interceptor registered on the context watches the status. Scoring's
/// outbox handler turns the message into the job that mails the assigned reviewers.</summary>
public static class ReviewReadyMail
{
    public const string Kind = "mail-review-ready";

    /// <summary>The message's payload.</summary>
    public sealed record Message(Guid AssessmentId);

    /// <summary>Adds the message to <paramref name="db"/>, saved with the caller's next save (an
    /// assignment to an assessment that is ready already).</summary>
    public static void Queue(DbContext db, Guid assessmentId) =>
        db.Add(new OutboxMessage { Kind = Kind, Payload = JsonSerializer.Serialize(new Message(assessmentId)) });

    /// <summary>Queues the message for each assessment this save moves to ready for review.</summary>
    public sealed class Interceptor : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            QueueForReady(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            QueueForReady(eventData.Context);
            return result;
        }

        private static void QueueForReady(DbContext? context)
        {
            if (context is null)
            {
                return;
            }

            // Entries() detects changes first, so a status set on a tracked entity counts.
            var ready = context.ChangeTracker.Entries<Assessment>()
                .Where(e => e.Entity.Status == AssessmentStatus.ReadyForReview
                            && (e.State == EntityState.Added
                                || (e.State == EntityState.Modified && e.Property(a => a.Status).OriginalValue != AssessmentStatus.ReadyForReview)))
                .Select(e => e.Entity.Id)
                .ToList();
            foreach (var id in ready)
            {
                Queue(context, id);
            }
        }
    }
}
