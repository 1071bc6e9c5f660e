using Assessments.Web.Features.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Assessments.Web.Features.Operations;

/// <summary><c>/ops</c>, for site operators: the grading queue, the workers and the outbox now,
/// and the last day of push-to-result, verdicts, sandbox errors and webhook deliveries.</summary>
[Authorize(Policy = AuthorizationPolicies.Operator)]
public sealed class OpsModel(OperationsHistory history, IOptions<OperationsOptions> options) : PageModel
{
    public OperationsDay Day { get; private set; } = null!;

    /// <summary>Whether <c>/metrics</c> is served (a scrape token is set).</summary>
    public bool Scraped => options.Value.ScrapeToken is { Length: > 0 };

    /// <summary>A worker whose last heartbeat is older than this is shown as silent: Hangfire
    /// removes a server only after its own, longer, timeout.</summary>
    public static readonly TimeSpan Silent = TimeSpan.FromMinutes(1);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Day = await history.LoadAsync(cancellationToken);
    }
}
