using System.Diagnostics;
using Assessments.Scenarios;

namespace Assessments.Web.Features.Git;

/// <summary>Creates a candidate's bare repository whose only commit is the scenario version's
/// template, authored by the platform. Only <see cref="ScenarioPackage.TemplateFiles"/> are ever
/// written to the work tree it commits from: hidden tests, the solution and variants cannot reach
/// a candidate's repository by construction.</summary>
public static class TemplateRepository
{
    public const string AuthorName = "Assessments";

    public const string AuthorEmail = "noreply@assessments.local";

    /// <summary>Initialises <paramref name="bareRepository"/> (which must not exist) with one commit
    /// on <paramref name="branch"/> and returns that commit's id.</summary>
    public static async Task<string> SeedAsync(ScenarioPackage package, string bareRepository, string branch, CancellationToken cancellationToken)
    {
        if (Directory.Exists(bareRepository))
        {
            throw new InvalidOperationException($"{bareRepository} exists already; a repository is seeded once.");
        }

        var work = Directory.CreateTempSubdirectory("assess-seed-");
        try
        {
            foreach (var file in package.TemplateFiles)
            {
                var path = Path.Combine(work.FullName, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, file.Content, cancellationToken);
                if (file.Executable)
                {
                    File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                }
            }

            await GitAsync(work.FullName, cancellationToken, "init", "--quiet", "--initial-branch", branch);
            // -f: the template's own .gitignore must not drop a file the candidate is meant to have.
            await GitAsync(work.FullName, cancellationToken, "add", "--all", "--force", ".");
            await GitAsync(work.FullName, cancellationToken, "commit", "--quiet", "--no-verify", "-m",
                $"{package.Manifest.Title}\n\nScenario {package.Manifest.Id} {package.Manifest.Version} ({package.ContentHash[..12]}).");
            var commit = (await GitAsync(work.FullName, cancellationToken, "rev-parse", "HEAD")).Trim();
            await GitAsync(Path.GetDirectoryName(Path.GetFullPath(bareRepository))!, cancellationToken, "clone", "--quiet", "--bare", work.FullName, bareRepository);
            return commit;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> GitAsync(string directory, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The platform is the author; nothing from the operator's own git configuration leaks in.
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["GIT_AUTHOR_NAME"] = AuthorName;
        info.Environment["GIT_AUTHOR_EMAIL"] = AuthorEmail;
        info.Environment["GIT_COMMITTER_NAME"] = AuthorName;
        info.Environment["GIT_COMMITTER_EMAIL"] = AuthorEmail;

        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = git.StandardError.ReadToEndAsync(cancellationToken);
        await git.WaitForExitAsync(cancellationToken);
        return git.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"git {string.Join(' ', args)} failed ({git.ExitCode}): {await error}");
    }
}
