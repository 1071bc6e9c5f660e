namespace Assessments.Web.Tests.Infrastructure;

/// <summary>Tests of repositories, submissions and assessments' lifecycles run one class at a
/// time: closing every expired assessment, or reconciling every repository, would otherwise reach
/// into another class's assessments on the shared database while it pushes.</summary>
[CollectionDefinition(Name)]
public sealed class RepositoriesCollection
{
    public const string Name = "Repositories";
}
