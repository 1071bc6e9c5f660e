using Assessments.Scenarios;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Assessments.Web.Tests.Features;

public sealed class ScenarioImporterTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await database.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task SameHashImportsOnceAndAChangedPackageAddsAVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        using var package = new TestPackage();
        var first = package.Load().GetPackageOrThrow(package.Display);

        await using (var db = database.CreateContext())
        {
            Assert.True((await new ScenarioImporter(db).ImportAsync(first, ct)).NewVersion);
        }

        await using (var db = database.CreateContext())
        {
            Assert.False((await new ScenarioImporter(db).ImportAsync(first, ct)).NewVersion);
        }

        package.Write("template/README.md", "# Tiny, version two\n");
        var second = package.Load().GetPackageOrThrow(package.Display);
        await using (var db = database.CreateContext())
        {
            Assert.True((await new ScenarioImporter(db).ImportAsync(second, ct)).NewVersion);
        }

        await using (var db = database.CreateContext())
        {
            var scenario = await db.Scenarios.Include(s => s.Versions).SingleAsync(ct);
            Assert.Null(scenario.OrganisationId);
            Assert.Equal("tiny", scenario.Slug);
            Assert.Equal([first.ContentHash, second.ContentHash], scenario.Versions.OrderBy(v => v.CreatedAt).Select(v => v.ContentHash));
            Assert.Equal(2, await db.ScenarioArchives.CountAsync(ct));
        }
    }

    [Fact]
    public async Task StoredArchiveOpensToTheSamePackage()
    {
        var ct = TestContext.Current.CancellationToken;
        using var package = new TestPackage();
        var loaded = package.Load().GetPackageOrThrow(package.Display);
        await using (var db = database.CreateContext())
        {
            await new ScenarioImporter(db).ImportAsync(loaded, ct);
        }

        // What a worker on another machine does: read the version's bytes by hash and open them.
        await using (var db = database.CreateContext())
        {
            var stored = await db.ScenarioArchives.SingleAsync(a => a.ContentHash == loaded.ContentHash, ct);
            using var archive = new MemoryStream(stored.Archive);
            var reopened = (await ScenarioPackage.LoadArchiveAsync(archive, "stored", ct)).GetPackageOrThrow("stored");
            Assert.Equal(loaded.ContentHash, reopened.ContentHash);
            Assert.Equal(loaded.Manifest.Hidden.Tests.Select(t => t.Name), reopened.Manifest.Hidden.Tests.Select(t => t.Name));
        }
    }
}
