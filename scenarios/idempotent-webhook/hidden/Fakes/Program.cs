// The grader's fake outside services, one process, alive for the whole grading (across phases).
//   email: a transactional email provider.  POST /email/v1/messages  {from,to,subject,text} -> 202 {id}
//          control API under /email/_control/ : messages, attempts, failure (and slowness) injection, reset.
using System.Collections.Concurrent;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton<EmailFake>();
var app = builder.Build();

app.MapGet("/health", () => Results.Ok(new { status = "ok", fakes = new[] { "email" } }));

var email = app.MapGroup("/email");

email.MapPost("/v1/messages", async (SendRequest? body, HttpRequest request, EmailFake fake, CancellationToken ct) =>
{
    if (body is null || string.IsNullOrWhiteSpace(body.To) || string.IsNullOrWhiteSpace(body.Subject))
        return Results.BadRequest(new { error = "to and subject are required" });
    if (!request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        return Results.Json(new { error = "missing API key" }, statusCode: 401);

    var rule = fake.ActiveFailure(body);
    if (rule is { Status: < 300 })
    {
        // A slow provider that accepts in the end: the message counts once it is answered.
        if (rule.DelayMs > 0) await Task.Delay(rule.DelayMs, ct);
        return Results.Json(new { id = fake.Accept(body) }, statusCode: 202);
    }
    if (rule is not null)
    {
        fake.RecordRejected(body, rule.Status);
        if (rule.DelayMs > 0) await Task.Delay(rule.DelayMs, ct);
        return Results.Json(new { error = "provider unavailable (injected)" }, statusCode: rule.Status);
    }
    var id = fake.Accept(body);
    return Results.Json(new { id }, statusCode: 202);
});

email.MapGet("/_control/messages", (string? subjectContains, EmailFake fake) =>
{
    var messages = fake.Messages(subjectContains);
    return Results.Ok(new { count = messages.Count, messages });
});

email.MapGet("/_control/attempts", (string? subjectContains, EmailFake fake) =>
    Results.Ok(fake.Attempts(subjectContains)));

email.MapPost("/_control/failures", (FailureRequest rule, EmailFake fake) => Results.Ok(fake.AddFailure(rule)));
email.MapGet("/_control/failures", (EmailFake fake) => Results.Ok(fake.Failures()));
email.MapDelete("/_control/failures", (string? match, EmailFake fake) => Results.Ok(new { removed = fake.ClearFailures(match) }));
email.MapPost("/_control/reset", (EmailFake fake) => { fake.Reset(); return Results.Ok(); });

app.Run();

public record SendRequest(string? From, string? To, string? Subject, string? Text);

public record StoredMessage(string Id, string? From, string To, string Subject, string? Text, DateTimeOffset ReceivedAt);

/// <summary>
/// Make sends fail (or, with a 2xx status, just slow: accepted after the delay). Match: only messages whose subject or recipient contains it (null: all).
/// Seconds: how long the rule lasts (null: until cleared). DelayMs: how long to hang before answering.
/// </summary>
public record FailureRequest(string? Match, int Status = 503, int DelayMs = 0, double? Seconds = null);

public record FailureRule(string? Match, int Status, int DelayMs, DateTimeOffset? Until);

public class EmailFake
{
    private readonly object _gate = new();
    private readonly List<StoredMessage> _messages = [];
    private readonly List<FailureRule> _failures = [];
    private readonly ConcurrentDictionary<string, int> _rejected = new();

    public FailureRule? ActiveFailure(SendRequest m)
    {
        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            _failures.RemoveAll(r => r.Until is { } until && until <= now);
            return _failures.FirstOrDefault(r => r.Match is null
                || (m.Subject ?? "").Contains(r.Match, StringComparison.Ordinal)
                || (m.To ?? "").Contains(r.Match, StringComparison.Ordinal));
        }
    }

    public void RecordRejected(SendRequest m, int status) => _rejected.AddOrUpdate(m.Subject ?? "", 1, (_, n) => n + 1);

    public string Accept(SendRequest m)
    {
        var id = "msg_" + Guid.NewGuid().ToString("N")[..16];
        lock (_gate) _messages.Add(new StoredMessage(id, m.From, m.To!, m.Subject!, m.Text, DateTimeOffset.UtcNow));
        return id;
    }

    public List<StoredMessage> Messages(string? subjectContains)
    {
        lock (_gate)
            return _messages.Where(m => subjectContains is null || m.Subject.Contains(subjectContains, StringComparison.Ordinal)).ToList();
    }

    public object Attempts(string? subjectContains)
    {
        var accepted = Messages(subjectContains).Count;
        var rejected = _rejected.Where(kv => subjectContains is null || kv.Key.Contains(subjectContains, StringComparison.Ordinal)).Sum(kv => kv.Value);
        return new { accepted, rejected };
    }

    public FailureRule AddFailure(FailureRequest r)
    {
        var rule = new FailureRule(r.Match, r.Status, r.DelayMs, r.Seconds is { } s ? DateTimeOffset.UtcNow.AddSeconds(s) : null);
        lock (_gate) _failures.Add(rule);
        return rule;
    }

    public List<FailureRule> Failures() { lock (_gate) return _failures.ToList(); }

    public int ClearFailures(string? match)
    {
        lock (_gate) return _failures.RemoveAll(r => match is null || r.Match == match);
    }

    public void Reset()
    {
        lock (_gate) { _messages.Clear(); _failures.Clear(); }
        _rejected.Clear();
    }
}
