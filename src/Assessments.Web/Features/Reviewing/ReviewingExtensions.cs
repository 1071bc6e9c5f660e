using Assessments.Web.Features.Grading;

namespace Assessments.Web.Features.Reviewing;

public static class ReviewingExtensions
{
    /// <summary>The reviewer's pages: the assessments list, the report, and its live progress.</summary>
    public static IHostApplicationBuilder AddReviewing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GradingNotifications>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GradingNotifications>());
        return builder;
    }
}
