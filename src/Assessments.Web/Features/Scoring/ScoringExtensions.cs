using Assessments.Web.Features.Submissions;

namespace Assessments.Web.Features.Scoring;

public static class ScoringExtensions
{
    /// <summary>Rubric reviews: saving them, assigning reviewers, the hiring decision, and the
    /// "ready for your review" mail (queued by Data/ReviewReadyMail in either role, sent by the worker).</summary>
    public static IHostApplicationBuilder AddScoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReviewWriter>();
        builder.Services.AddScoped<ReviewAssignments>();
        builder.Services.AddScoped<HiringDecisions>();
        builder.Services.AddScoped<ReviewReadyMailJob>();
        builder.Services.AddSingleton<IOutboxHandler, ReviewReadyMessages>();
        return builder;
    }
}
