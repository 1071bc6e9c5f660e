using Assessments.Scenarios;
using Assessments.Web.Features.Scenarios;

namespace Assessments.Web.Features.Library;

public static class LibraryExtensions
{
    /// <summary>The configuration section of an upload's limits (<c>Scenarios__Upload__MaxBytes</c>, …).</summary>
    public const string UploadSection = "Scenarios:Upload";

    /// <summary>The library page's parts: importing an organisation's packages, uploaded within the
    /// limits of <see cref="UploadSection"/> or fetched from a repository on the allow-list of
    /// <see cref="PackageRepositoryOptions.Section"/>.</summary>
    public static IHostApplicationBuilder AddLibrary(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ScenarioImporter>();
        builder.Services.AddOptions<PackageUploadLimits>()
            .Bind(builder.Configuration.GetSection(UploadSection))
            .Validate(l => l.MaxArchiveBytes > 0 && l.MaxEntries > 0 && l.MaxBytes > 0 && l.MaxCompressionRatio >= 1,
                "Scenarios:Upload: MaxArchiveBytes, MaxEntries and MaxBytes must be positive and MaxCompressionRatio at least 1")
            .ValidateOnStart();
        builder.Services.AddScoped<PackageRepositories>();
        builder.Services.AddOptions<PackageRepositoryOptions>()
            .Bind(builder.Configuration.GetSection(PackageRepositoryOptions.Section))
            .Validate(o => o.AllowedRepositories.All(p => p.StartsWith("https://", StringComparison.OrdinalIgnoreCase)),
                "Scenarios:Git:AllowedRepositories: every prefix must start with https://")
            .ValidateOnStart();
        return builder;
    }
}
