namespace Assessments.Tests.Shared;

public static class RepositoryRoot
{
    /// <summary>The checkout's root: the folder above the test binary that holds Assessments.sln.</summary>
    public static string Path { get; } = Find();

    /// <summary>The published binary scripts/build-assess writes; end-to-end tests start it as processes.</summary>
    public static string AssessDll => System.IO.Path.Combine(Path, ".build", "assess", "Assessments.Web.dll");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Assessments.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Assessments.sln above {AppContext.BaseDirectory}.");
    }
}
