using System.Reflection;

namespace Assessments.Runner.Tests;

/// <summary>DESIGN.md: the Runner library knows nothing of the web app or the database; the caller stores what it produces.</summary>
public sealed class DependencyRulesTests
{
    [Theory]
    [InlineData("Microsoft.EntityFrameworkCore")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("Hangfire")]
    [InlineData("Assessments.Web")]
    public void LibraryDoesNotReference(string forbiddenPrefix)
    {
        // Loaded by name: the project reference copies it beside the tests.
        var library = Assembly.Load("Assessments.Runner");

        var offending = library.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith(forbiddenPrefix, StringComparison.Ordinal))
            .ToList();

        Assert.Empty(offending);
    }
}
