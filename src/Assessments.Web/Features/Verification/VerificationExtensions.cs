using Assessments.Web.Features.Grading;
using Assessments.Web.Features.Sandbox;

namespace Assessments.Web.Features.Verification;

public static class VerificationExtensions
{
    /// <summary>Queuing scenario verifications (every role) and, in the worker role, running them
    /// in the sandbox and reporting the image the worker grades in (decision 020).</summary>
    public static IHostApplicationBuilder AddVerification(this IHostApplicationBuilder builder, bool worker)
    {
        builder.Services.AddScoped<VerificationQueue>();
        if (worker)
        {
            builder.AddSandbox();
            builder.Services.AddScoped<VerificationJob>();
            builder.Services.AddHostedService<SandboxImageReporter>();
        }

        return builder;
    }
}
