using Assessments.Web.Data;
using Assessments.Web.Features.Jobs;
using Assessments.Web.Features.Submissions;
using Assessments.Web.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Assessments.Web.Tests.Features.Submissions;

/// <summary>What a worker registers with Hangfire at start, read back from Hangfire's own storage:
/// the recurring jobs each feature declared (reconciliation by Submissions, deadlines by Lifecycle).</summary>
public sealed class RecurringJobsTests(WebApp app)
{
    [Fact]
    public async Task AWorkerReconcilesBuiltInRepositoriesEveryTwoMinutesGitHubOnesEveryTenAndClosesExpiredAssessmentsEveryMinute()
    {
        var registration = new RecurringJobsRegistration(app.Services.GetServices<RecurringJobDeclaration>(), app.Services.GetRequiredService<IRecurringJobManager>());
        await registration.StartAsync(TestContext.Current.CancellationToken);

        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var jobs = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        var builtIn = jobs[RepositoryReconciliation.RecurringJobId];
        Assert.Equal("*/2 * * * *", builtIn.Cron);
        Assert.Equal(RepositoryHost.BuiltIn, builtIn.Job.Args[0]);
        var github = jobs[RepositoryReconciliation.GitHubRecurringJobId];
        Assert.Equal("*/10 * * * *", github.Cron);
        Assert.Equal(RepositoryHost.GitHub, github.Job.Args[0]);
        Assert.Equal(nameof(RepositoryReconciliation.RunAsync), github.Job.Method.Name);
        Assert.Equal(Cron.Minutely(), jobs[Assessments.Web.Features.Lifecycle.DeadlineJob.RecurringJobId].Cron);
    }
}
