using System.Reflection;

namespace Assessments.Tests.Shared;

/// <summary>DESIGN.md: the engine and the scenario library know nothing of the web app or the
/// database; the caller stores what they produce.</summary>
public static class DependencyRules
{
    public static readonly TheoryData<string> ForbiddenForLibraries =
    [
        "Microsoft.EntityFrameworkCore",
        "Npgsql",
        "Microsoft.AspNetCore",
        "Hangfire",
        "Assessments.Web",
    ];

    public static void AssertDoesNotReference(string library, string forbiddenPrefix)
    {
        // Loaded by name: the project reference copies it beside the tests.
        var offending = Assembly.Load(library).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith(forbiddenPrefix, StringComparison.Ordinal))
            .ToList();

        Assert.Empty(offending);
    }
}
