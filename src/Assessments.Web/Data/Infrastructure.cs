namespace Assessments.Web.Data;

/// <summary>A webhook as received; the unique (provider, delivery id) makes a redelivery a no-op.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }

    public required string Provider { get; set; }

    /// <summary>The provider's delivery id (<c>X-GitHub-Delivery</c>).</summary>
    public required string DeliveryId { get; set; }

    public required string Event { get; set; }

    public DateTimeOffset ReceivedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The raw body exactly as signed.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }

    public string? Error { get; set; }
}

/// <summary>Work that must follow a committed row (enqueue a grading after a push is recorded):
/// written in the same transaction as the row, dispatched afterwards, at least once.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>What to do (<c>grade-submission</c>); the dispatcher maps it to a job.</summary>
    public required string Kind { get; set; }

    /// <summary>Arguments as JSON; ids, never entities.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? DispatchedAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}

/// <summary>Who did what, when. Append-only.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;

    public Guid? ActorUserId { get; set; }

    /// <summary>A readable actor for events without a user: <c>system</c>, <c>cli</c>, <c>candidate</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>Dotted verb: <c>user.created</c>, <c>assessment.started</c>.</summary>
    public required string Action { get; set; }

    public Guid? OrganisationId { get; set; }

    public string? SubjectType { get; set; }

    public string? SubjectId { get; set; }

    /// <summary>Details as JSON.</summary>
    public string Data { get; set; } = "{}";

    /// <summary>What <paramref name="actor"/> did to one subject, its details serialised as JSON.</summary>
    public static AuditEvent About(string subjectType, string subjectId, Guid? organisationId, string actor, string action, object details) => new()
    {
        Actor = actor,
        Action = action,
        OrganisationId = organisationId,
        SubjectType = subjectType,
        SubjectId = subjectId,
        Data = System.Text.Json.JsonSerializer.Serialize(details),
    };

    public static AuditEvent About(Assessment assessment, string actor, string action, object details) =>
        About("assessment", assessment.Id.ToString(), assessment.OrganisationId, actor, action, details);

    public static AuditEvent About(Organisation organisation, string actor, string action, object details) =>
        About("organisation", organisation.Id.ToString(), organisation.Id, actor, action, details);
}

/// <summary>An operator's check that workers pick up jobs and share the Data Protection key ring:
/// written by the process that asked, completed by whichever worker ran the job.</summary>
public sealed class WorkerProbe
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string Queue { get; set; }

    public DateTimeOffset RequestedAt { get; set; } = DateTimeOffset.UtcNow;

    public required string RequestedByHost { get; set; }

    public int RequestedByProcessId { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? CompletedByHost { get; set; }

    public int? CompletedByProcessId { get; set; }

    /// <summary>A random value; the asking process protects it into <see cref="ProtectedChallenge"/>.</summary>
    public required string Challenge { get; set; }

    public required string ProtectedChallenge { get; set; }

    /// <summary>Whether the worker could open the asking process's payload: the key ring is shared.</summary>
    public bool? DataProtectionShared { get; set; }

    public string? DataProtectionError { get; set; }
}
