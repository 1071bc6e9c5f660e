namespace Assessments.Web.Features.Scenarios;

/// <summary>Where the scenario library (one folder per scenario) is read from.</summary>
public sealed class ScenarioLibraryOptions
{
    public const string Section = "Scenarios";

    /// <summary>The library folder; <c>./assess</c> points it at the checkout's <c>scenarios/</c>.</summary>
    public string? LibraryPath { get; set; }
}
