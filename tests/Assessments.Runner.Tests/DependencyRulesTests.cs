namespace Assessments.Runner.Tests;

public sealed class DependencyRulesTests
{
    [Theory]
    [MemberData(nameof(DependencyRules.ForbiddenForLibraries), MemberType = typeof(DependencyRules))]
    public void LibraryDoesNotReference(string forbiddenPrefix) =>
        DependencyRules.AssertDoesNotReference("Assessments.Runner", forbiddenPrefix);
}
