using Assessments.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>Marks a version verified on the workers' image the way a finished verification does
/// (decision 020), for tests whose subject comes after verification. The image is the same for
/// every test of a database, so none makes another's version "not on this image".</summary>
public static class Verified
{
    public const string ImageId = "sha256:7e57000000000000000000000000000000000000000000000000000000000000";

    public static async Task MarkAsync(AssessmentsDbContext db, string contentHash, CancellationToken cancellationToken = default)
    {
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO sandbox_images (image_id, name, first_reported_at, last_reported_at)
            VALUES ({ImageId}, 'assessments-sandbox:test', now(), now()) ON CONFLICT (image_id) DO NOTHING
            """, cancellationToken);
        foreach (var version in await db.ScenarioVersions.Where(v => v.ContentHash == contentHash).ToListAsync(cancellationToken))
        {
            var finished = DateTimeOffset.UtcNow;
            db.ScenarioVerifications.Add(new ScenarioVerification
            {
                ScenarioVersionId = version.Id,
                Status = ScenarioVerificationStatus.Verified,
                ImageId = ImageId,
                RequestedBy = "test",
                StartedAt = finished,
                FinishedAt = finished,
                Attempt = 1,
            });
            version.VerifiedAt = finished;
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
