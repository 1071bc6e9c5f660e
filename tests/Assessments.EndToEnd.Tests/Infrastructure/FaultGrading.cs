using System.Diagnostics;
using System.Net;
using Assessments.Scenarios;
using Assessments.Web.Data;
using Assessments.Web.Features.Git;
using Assessments.Web.Features.Scenarios;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>One queued grading of the scaffold's template, on a PostgreSQL cluster of its own
/// (migrated by <c>assess migrate</c>), in a built-in repository seeded as a candidate's is: the
/// grading a fault test breaks. Worker processes it starts grade on the fault engine.</summary>
public sealed class FaultGrading : IAsyncDisposable
{
    private readonly PrivateCluster _cluster;
    private readonly DirectoryInfo _data;
    private readonly List<AssessProcess> _workers = [];

    private FaultGrading(PrivateCluster cluster, DirectoryInfo data, string connectionString, Guid runId)
    {
        (_cluster, _data, ConnectionString, RunId) = (cluster, data, connectionString, runId);
    }

    public string ConnectionString { get; }

    /// <summary>The grading's own folder (its repositories live under it).</summary>
    public string Folder => _data.FullName;

    /// <summary>The queued grading.</summary>
    public Guid RunId { get; }

    /// <summary>A cluster and database for <paramref name="name"/>, the scaffold imported and one
    /// started assessment whose template commit is submitted and queued for grading.</summary>
    public static async Task<FaultGrading> SeedAsync(string name, CancellationToken cancellationToken)
    {
        var cluster = await PrivateCluster.StartAsync(name, cancellationToken);
        var data = Directory.CreateTempSubdirectory($"{name}-");
        try
        {
            return await SeedAsync(cluster, data, cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            data.Delete(recursive: true);
            throw;
        }
    }

    private static async Task<FaultGrading> SeedAsync(PrivateCluster cluster, DirectoryInfo data, CancellationToken cancellationToken)
    {
        var connectionString = await cluster.CreateDatabaseAsync("assessments", cancellationToken);
        var migrate = await AssessProcess.RunAsync(new Dictionary<string, string> { ["ConnectionStrings__Assessments"] = connectionString }, TimeSpan.FromMinutes(2), "migrate");
        Assert.True(migrate.ExitCode == 0, $"assess migrate failed:\n{migrate.Stdout}\n{migrate.Stderr}");

        var library = Path.Combine(data.FullName, "library", "greeting");
        await ScenarioScaffold.WriteAsync("greeting", library, cancellationToken);
        var package = ScenarioPackage.Load(library).GetPackageOrThrow(library);
        await using var db = MigratedDatabase.Context(connectionString);
        await new ScenarioImporter(db).ImportAsync(package, cancellationToken);
        var organisation = new Organisation { Slug = "acme", Name = "Acme" };
        var assessment = new Assessment
        {
            Organisation = organisation,
            Candidate = new Candidate { Organisation = organisation, Name = "Ada Lovelace", Email = "ada@example.com" },
            ScenarioVersionId = (await db.ScenarioVersions.SingleAsync(cancellationToken)).Id,
            Slug = "ada",
            Status = AssessmentStatus.Started,
            StartedAt = DateTimeOffset.UtcNow,
            TimeLimit = TimeSpan.FromHours(4),
        };
        var repositories = new RepositoryOptions { Root = Path.Combine(data.FullName, "repositories") };
        Directory.CreateDirectory(Path.Combine(repositories.Root, "acme"));
        var commit = await TemplateRepository.SeedAsync(package, repositories.PathOf("acme", "ada"), "main", cancellationToken);
        var run = new GradingRun
        {
            Kind = GradingKind.Candidate,
            Submission = new Submission { Assessment = assessment, CommitSha = commit },
            ScenarioVersionId = assessment.ScenarioVersionId,
        };
        db.GradingRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return new FaultGrading(cluster, data, connectionString, run.Id);
    }

    /// <summary>A worker process on <paramref name="engine"/>, with the fault engine's shared cache
    /// folder unless <paramref name="settings"/> name another, answering its health check.</summary>
    public async Task<AssessProcess> StartWorkerAsync(FaultEngine engine, CancellationToken cancellationToken, params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Assessments"] = ConnectionString,
            ["Repositories__Root"] = Path.Combine(_data.FullName, "repositories"),
            ["Sandbox__DockerEndpoint"] = engine.Endpoint,
            ["Sandbox__CacheFolder"] = engine.CacheFolder,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var port = AssessProcess.FreePort();
        var worker = AssessProcess.Start(environment, "worker", "--urls", $"http://127.0.0.1:{port}");
        _workers.Add(worker);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await worker.WaitForStatusAsync(http, "/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1));
        return worker;
    }

    public AssessmentsDbContext Context() => MigratedDatabase.Context(ConnectionString);

    /// <summary>The grading as stored now.</summary>
    public async Task<GradingRun> RunAsync(CancellationToken cancellationToken)
    {
        await using var db = Context();
        return await db.GradingRuns.AsNoTracking().SingleAsync(r => r.Id == RunId, cancellationToken);
    }

    /// <summary>Whether attempt <paramref name="attempt"/> has begun a stage on <paramref name="side"/>.</summary>
    public async Task<bool> ReachedAsync(int attempt, StageSide side, CancellationToken cancellationToken)
    {
        await using var db = Context();
        return await db.GradingStageEvents.AnyAsync(e => e.GradingRunId == RunId && e.Attempt == attempt && e.Side == side, cancellationToken);
    }

    /// <summary>Hangfire's view of the jobs, from the grading's database.</summary>
    public IMonitoringApi Monitoring() =>
        new PostgreSqlStorage(new NpgsqlConnectionFactory(ConnectionString, new PostgreSqlStorageOptions()), new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false }).GetMonitoringApi();

    /// <summary>Waits until <paramref name="done"/> holds, failing with the workers' logs after 5 minutes.</summary>
    public async Task WaitAsync(Func<Task<bool>> done, string what, CancellationToken cancellationToken, string? more = null)
    {
        var waited = Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(5),
                $"{what}: not after 5 minutes.\n{string.Join("\n----\n", _workers.Select(w => w.StandardError))}\n{more}");
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Waits until the grading has ended (completed or failed for good) and returns it.</summary>
    public async Task<GradingRun> WaitForEndAsync(CancellationToken cancellationToken, string? more = null)
    {
        await WaitAsync(async () => (await RunAsync(cancellationToken)).Status is GradingStatus.Completed or GradingStatus.Failed, "the grading ended", cancellationToken, more);
        return await RunAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await _cluster.DisposeAsync();
        _data.Delete(recursive: true);
    }
}
