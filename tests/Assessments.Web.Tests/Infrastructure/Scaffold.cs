using Assessments.Scenarios;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>The package <c>assess scenario new greeting</c> writes: a small real scenario, loaded
/// once per test run (a loaded package holds its files in memory).</summary>
public static class Scaffold
{
    private static readonly Lazy<Task<ScenarioPackage>> Greeting = new(LoadAsync);

    public static Task<ScenarioPackage> PackageAsync() => Greeting.Value;

    private static async Task<ScenarioPackage> LoadAsync()
    {
        var folder = Directory.CreateTempSubdirectory("scaffold-");
        try
        {
            var path = Path.Combine(folder.FullName, "greeting");
            await ScenarioScaffold.WriteAsync("greeting", path, CancellationToken.None);
            return ScenarioPackage.Load(path).GetPackageOrThrow(path);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
