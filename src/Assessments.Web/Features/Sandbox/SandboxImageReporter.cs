using Assessments.Runner.Sandbox;

namespace Assessments.Web.Features.Sandbox;

/// <summary>Tells every role which sandbox image the workers grade in (decision 020): a worker
/// reports its image when it starts, which makes it the current one, so versions verified on an
/// older image read "not verified on this image" until verified again.</summary>
public static class SandboxImages
{
    /// <summary>Records <paramref name="image"/>. <paramref name="current"/>: a worker starting
    /// with it (it becomes the current image); otherwise only known (a verification that ran on it).</summary>
    public static async Task RecordAsync(AssessmentsDbContext db, SandboxImage image, bool current, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var name = image.Tag.Length > 256 ? image.Tag[..256] : image.Tag;
        // One statement, so two workers starting together cannot both insert.
        if (current)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO sandbox_images (image_id, name, first_reported_at, last_reported_at) VALUES ({image.Id}, {name}, {now}, {now})
                ON CONFLICT (image_id) DO UPDATE SET name = excluded.name, last_reported_at = excluded.last_reported_at
                """, cancellationToken);
        }
        else
        {
            // Known from now on, but not newer than whatever a worker reported last.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO sandbox_images (image_id, name, first_reported_at, last_reported_at)
                SELECT {image.Id}, {name}, {now}, coalesce((SELECT min(last_reported_at) FROM sandbox_images), {now})
                ON CONFLICT (image_id) DO NOTHING
                """, cancellationToken);
        }
    }
}

/// <summary>The worker's report of its image at start, retried every minute until the engine and
/// the image are there (the readiness check says why meanwhile).</summary>
public sealed class SandboxImageReporter(IServiceScopeFactory scopes, SandboxRuntime sandbox, ILogger<SandboxImageReporter> logger) : BackgroundService
{
    private static readonly TimeSpan Retry = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var image = await sandbox.ImageAsync(stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                await SandboxImages.RecordAsync(scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>(), image, current: true, stoppingToken);
                logger.LogInformation("Grading in sandbox image {Image} ({ImageId})", image.Tag, image.Id);
                return;
            }
            catch (Exception e) when (e is SandboxUnavailableException or Npgsql.NpgsqlException)
            {
                logger.LogWarning("Could not report the sandbox image yet, trying again in a minute: {Reason}", e.Message);
            }

            await Task.Delay(Retry, stoppingToken);
        }
    }
}
