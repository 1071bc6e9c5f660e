using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Assessments.Web.Features.Sandbox;

public static class SandboxExtensions
{
    /// <summary>The <c>Sandbox</c> section, validated at start: workers and <c>assess sandbox</c> read it.</summary>
    public static IHostApplicationBuilder AddSandboxOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SandboxOptions>()
            .BindConfiguration(SandboxOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    /// <summary>The sandbox gradings run in: its options and the runtime holding the engine client.</summary>
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.AddSandboxOptions();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<SandboxRuntime>();
        return builder;
    }
}
