using Assessments.Scenarios;
using Assessments.Web.Features.Scenarios;

namespace Assessments.Web.Features.Library;

public static class LibraryExtensions
{
    /// <summary>The configuration section of an upload's limits (<c>Scenarios__Upload__MaxBytes</c>, …).</summary>
    public const string UploadSection = "Scenarios:Upload";

    /// <summary>The library page's parts: importing an organisation's uploaded packages, within the
    /// limits of <see cref="UploadSection"/>.</summary>
    public static IHostApplicationBuilder AddLibrary(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ScenarioImporter>();
        builder.Services.AddOptions<PackageUploadLimits>()
            .Bind(builder.Configuration.GetSection(UploadSection))
            .Validate(l => l.MaxArchiveBytes > 0 && l.MaxEntries > 0 && l.MaxBytes > 0 && l.MaxCompressionRatio >= 1,
                "Scenarios:Upload: MaxArchiveBytes, MaxEntries and MaxBytes must be positive and MaxCompressionRatio at least 1")
            .ValidateOnStart();
        return builder;
    }
}
