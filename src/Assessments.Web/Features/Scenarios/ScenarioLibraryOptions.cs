namespace Assessments.Web.Features.Scenarios;

/// <summary>Where the scenario library (one folder per scenario) is read from.</summary>
public sealed class ScenarioLibraryOptions
{
    public const string Section = "Scenarios";

    /// <summary>The library folder; <c>./assess</c> points it at the checkout's <c>scenarios/</c>.
    /// Optional: a command given <c>--dir</c> needs none, and one that needs it and has neither
    /// says what to set (<see cref="ScenarioCommands.ResolveLibrary"/>).</summary>
    public string? LibraryPath { get; set; }
}

public static class ScenarioLibraryExtensions
{
    /// <summary>The <c>Scenarios</c> section (<c>Scenarios__LibraryPath</c>), for the command-line verbs that read the library.</summary>
    public static IHostApplicationBuilder AddScenarioLibrary(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ScenarioLibraryOptions>(ScenarioLibraryOptions.Section);
        return builder;
    }
}
