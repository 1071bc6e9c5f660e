namespace Assessments.Scenarios.Tests;

public sealed class DependencyRulesTests
{
    [Theory]
    [MemberData(nameof(DependencyRules.ForbiddenForLibraries), MemberType = typeof(DependencyRules))]
    public void LibraryDoesNotReference(string forbiddenPrefix) =>
        DependencyRules.AssertDoesNotReference("Assessments.Scenarios", forbiddenPrefix);
}
