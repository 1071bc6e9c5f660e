using Assessments.Runner.Sandbox;

namespace Assessments.Web.Features.Sandbox;

/// <summary>Which sandbox containers still work for a live grading, as the database says: a
/// container's owner is live while its grading is running at that attempt. A retried or finished
/// grading's earlier containers are abandoned even before they expire.</summary>
public static class LiveGradings
{
    /// <summary>The owners among <paramref name="owners"/> that are live. One that names no grading
    /// of this database (not a run id, or another installation's on a shared engine) is not ours
    /// to judge, and counts as live: its expiry still bounds it.</summary>
    public static async Task<IReadOnlySet<SandboxOwner>> AmongAsync(AssessmentsDbContext db, IReadOnlyCollection<SandboxOwner> owners, CancellationToken cancellationToken)
    {
        var ids = owners.Select(o => Guid.TryParse(o.Run, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToList();
        var known = await db.GradingRuns
            .Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.Attempt, r.Status })
            .ToDictionaryAsync(r => r.Id, cancellationToken);
        return owners.Where(o => !Guid.TryParse(o.Run, out var id) || !known.TryGetValue(id, out var run)
            || (run.Status == GradingStatus.Running && run.Attempt == o.Attempt)).ToHashSet();
    }

    /// <summary>The owner of a grading's attempt, as its containers are labelled.</summary>
    public static SandboxOwner Owner(Guid run, int attempt) => new(run.ToString("D"), attempt);
}
