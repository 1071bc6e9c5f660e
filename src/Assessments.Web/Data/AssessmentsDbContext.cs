using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Assessments.Web.Data;

/// <summary>The platform's database. EF Core is used directly by features: no repository layer.</summary>
/// <remarks>
/// Add a migration from the repository root with
/// <c>dotnet ef migrations add NAME --project src/Assessments.Web --output-dir Data/Migrations</c>
/// and commit it unedited. Table and column names are snake_case.
/// </remarks>
public sealed class AssessmentsDbContext(DbContextOptions<AssessmentsDbContext> options)
    : IdentityDbContext<User, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Organisation> Organisations => Set<Organisation>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<TeamInvitation> TeamInvitations => Set<TeamInvitation>();

    public DbSet<Scenario> Scenarios => Set<Scenario>();

    public DbSet<ScenarioVersion> ScenarioVersions => Set<ScenarioVersion>();

    public DbSet<ScenarioArchive> ScenarioArchives => Set<ScenarioArchive>();

    public DbSet<ScenarioVerification> ScenarioVerifications => Set<ScenarioVerification>();

    public DbSet<SandboxImageRecord> SandboxImages => Set<SandboxImageRecord>();

    public DbSet<Candidate> Candidates => Set<Candidate>();

    public DbSet<Assessment> Assessments => Set<Assessment>();

    public DbSet<Submission> Submissions => Set<Submission>();

    public DbSet<GradingRun> GradingRuns => Set<GradingRun>();

    public DbSet<TestResult> TestResults => Set<TestResult>();

    public DbSet<MetricSample> MetricSamples => Set<MetricSample>();

    public DbSet<Finding> Findings => Set<Finding>();

    public DbSet<AssessmentListing> AssessmentListings => Set<AssessmentListing>();

    public DbSet<GradingStageEvent> GradingStageEvents => Set<GradingStageEvent>();

    public DbSet<GradingFile> GradingFiles => Set<GradingFile>();

    public DbSet<Review> Reviews => Set<Review>();

    public DbSet<ReviewCriterion> ReviewCriteria => Set<ReviewCriterion>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<WorkerProbe> WorkerProbes => Set<WorkerProbe>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<OperationCount> OperationCounts => Set<OperationCount>();

    public DbSet<OperationGauge> OperationGauges => Set<OperationGauge>();

    /// <summary>Shared by every context: it keeps no state between saves of one context.</summary>
    private static readonly AssessmentListings.Interceptor Listings = new();

    private static readonly ReviewReadyMail.Interceptor ReadyForReview = new();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        // Here rather than at registration, so every context keeps the listings true: the
        // server's, the command line's, and the ones tests build themselves.
        optionsBuilder.AddInterceptors(Listings, ReadyForReview);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AssessmentsDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // Enums are stored by name: readable in psql and stable when members are reordered.
        configuration.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }
}
