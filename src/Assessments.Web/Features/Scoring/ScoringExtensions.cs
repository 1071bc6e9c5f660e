namespace Assessments.Web.Features.Scoring;

public static class ScoringExtensions
{
    /// <summary>Rubric reviews: the report page's scoring panel saves through <see cref="ReviewWriter"/>.</summary>
    public static IHostApplicationBuilder AddScoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReviewWriter>();
        return builder;
    }
}
