using System.Text;
using Assessments.Runner.RepositoryTests;
using Assessments.Scenarios;

namespace Assessments.Runner.Tests.RepositoryTests;

/// <summary>Which projects of a repository are xunit test projects, and which xunit.</summary>
public sealed class TestProjectsTests
{
    private static PackageFile Project(string path, string references, string properties = "") => new(path, false, Encoding.UTF8.GetBytes(
        $"""<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup>{properties}</PropertyGroup><ItemGroup>{references}</ItemGroup></Project>"""));

    [Fact]
    public void XunitV2AndV3ProjectsAreFoundInPathOrderAndOthersAreNot()
    {
        var projects = TestProjects.Find(
        [
            Project("src/Shop.Api/Shop.Api.csproj", """<PackageReference Include="Npgsql" />"""),
            Project("tests/Shop.Tests/Shop.Tests.csproj", """<PackageReference Include="xunit.v3" Version="4.0.2" />""", "<AssemblyName>Shop.UnitTests</AssemblyName>"),
            Project("tests/Legacy/Legacy.csproj", """<PackageReference Version="2.9.3" Include="xunit" />"""),
            Project("tests/Core/Core.csproj", """<PackageReference Include="XUnit.Core" />"""),
            new PackageFile("README.md", false, Encoding.UTF8.GetBytes("xunit")),
        ]);

        Assert.Equal(
            [
                new TestProject("tests/Core/Core.csproj", XunitGeneration.V2, "Core"),
                new TestProject("tests/Legacy/Legacy.csproj", XunitGeneration.V2, "Legacy"),
                new TestProject("tests/Shop.Tests/Shop.Tests.csproj", XunitGeneration.V3, "Shop.UnitTests"),
            ],
            projects);
        Assert.Equal("tests/Shop.Tests", projects[2].Directory);
    }
}
