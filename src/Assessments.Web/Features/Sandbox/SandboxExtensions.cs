using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Assessments.Web.Features.Sandbox;

public static class SandboxExtensions
{
    /// <summary>The <c>Sandbox</c> section, validated at start: workers and <c>assess sandbox</c> read it.
    /// Registered once however many features ask for it.</summary>
    public static IHostApplicationBuilder AddSandboxOptions(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(SandboxOptionsMarker)))
        {
            return builder;
        }

        builder.Services.AddSingleton<SandboxOptionsMarker>();
        builder.Services.AddValidatedOptions<SandboxOptions>(SandboxOptions.Section);
        return builder;
    }

    /// <summary>The sandbox gradings run in: its options, the runtime holding the engine client
    /// (which builds the Docker host factory), and the grading engine.</summary>
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.AddGradingEngine();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<SandboxRuntime>();
        return builder;
    }

    /// <summary>Grading on this machine's processes instead of the sandbox (<c>assess scenario
    /// verify --local</c>: trusted code only): the engine and a local host factory whose scratch
    /// folder comes from <see cref="LocalHostOptions"/>.</summary>
    public static IHostApplicationBuilder AddLocalGrading(this IHostApplicationBuilder builder)
    {
        builder.AddGradingEngine();
        builder.Services.AddOptions<LocalHostOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                if (configuration[LocalHostOptions.ScratchKey] is { Length: > 0 } scratch)
                {
                    options.ScratchFolder = scratch;
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(sp => new LocalHostFactory(sp.GetRequiredService<IOptions<LocalHostOptions>>().Value.ScratchFolder));
        return builder;
    }

    /// <summary>The one place the grading engine is built: every grading (the worker's job,
    /// <c>assess grade</c>, <c>assess scenario verify</c>) caches its grader builds under
    /// <c>Sandbox:CacheFolder</c>. The engine keeps no state between gradings, so one serves all.</summary>
    private static IHostApplicationBuilder AddGradingEngine(this IHostApplicationBuilder builder)
    {
        builder.AddSandboxOptions();
        builder.Services.TryAddSingleton(sp => new GradingEngine(sp.GetRequiredService<IOptions<SandboxOptions>>().Value.GradingEngine));
        return builder;
    }

    /// <summary>Tells <see cref="AddSandboxOptions"/> the section is bound already.</summary>
    private sealed class SandboxOptionsMarker;
}
