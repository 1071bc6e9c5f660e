using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using Assessments.Runner.Hosting;
using Assessments.Scenarios;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.Runner.Sandbox;

/// <summary>A scenario version's offline NuGet feed in a Docker volume, and the packages it holds.</summary>
/// <param name="Volume">The volume's name; sides mount it read-only at <c>/nuget</c>.</param>
/// <param name="Packages">Every package in it, as lower-case <c>id/version</c>.</param>
public sealed record OfflineFeed(string Volume, IReadOnlySet<string> Packages);

/// <summary>Builds each scenario version's offline feed once: the version's own projects (template,
/// solution, variants, hidden tests, fakes) and its declared packages are restored on the host into
/// a fresh packages folder (trusted, authored code; never a candidate's), which is then copied into
/// a labelled volume. That folder is both the sides' package source and their read-only global
/// packages folder, so a restore inside the sandbox needs no network and writes nothing; a package
/// outside it fails to restore or shows in the assets file, and is judged not-allowed.</summary>
public sealed class OfflineFeeds(IDockerClient docker, SandboxImage image, string cacheRoot, Action<string>? progress = null)
{
    /// <summary>The feed for <paramref name="package"/>, restoring and copying it first when missing.</summary>
    public Task<OfflineFeed> EnsureAsync(ScenarioPackage package, CancellationToken cancellationToken) =>
        EnsureAsync(package.ContentHash, $"{package.Manifest.Id} ({package.ContentHash[..12]})", (sources, ct) => WriteScenarioSourcesAsync(package, sources, ct), cancellationToken);

    /// <summary>The feed for a repository's own test projects (<c>assess grade --dir</c> without a
    /// scenario): the repository is restored on this machine as it stands — its MSBuild files run
    /// here, so only trusted code may come this way. Keyed by the repository's build files, so an
    /// edit to code alone reuses the feed.</summary>
    public Task<OfflineFeed> EnsureForRepositoryAsync(IReadOnlyList<PackageFile> tree, IReadOnlyList<string> projects, CancellationToken cancellationToken)
    {
        var key = "repo-" + ContentHash.Compute([.. tree.Where(f => IsBuildFile(f.Path) || Path.GetFileName(f.Path).Equals("nuget.config", StringComparison.OrdinalIgnoreCase))]);
        return EnsureAsync(key, $"the repository's test projects ({key[5..17]})", async (sources, ct) =>
        {
            await WriteAsync(Path.Combine(sources, "repo"), tree, ct);
            return [.. projects.Select(p => Path.Combine(sources, "repo", p))];
        }, cancellationToken);
    }

    private async Task<OfflineFeed> EnsureAsync(string key, string what, Func<string, CancellationToken, Task<IReadOnlyList<string>>> writeSources, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(cacheRoot, "feeds", key);
        var packages = Path.Combine(folder, "packages");
        // Scenario feeds by their content hash, repository feeds by theirs behind "repo-".
        var volume = $"assessments-feed-{(key.StartsWith("repo-", StringComparison.Ordinal) ? key[..21] : key[..16])}";
        Directory.CreateDirectory(Path.Combine(cacheRoot, "feeds"));

        // One process at a time per feed: workers share the cache folder and the engine.
        await using var lockFile = await LockAsync($"{folder}.lock", cancellationToken);
        if (!File.Exists(Path.Combine(folder, ".complete")))
        {
            await RestoreAsync(key, what, folder, writeSources, cancellationToken);
        }

        await EnsureVolumeAsync(volume, packages, key, cancellationToken);
        return new OfflineFeed(volume, ReadPackages(packages));
    }

    /// <summary>Every <c>id/version</c> in a global-packages-folder layout.</summary>
    public static IReadOnlySet<string> ReadPackages(string packagesFolder) =>
        Directory.EnumerateDirectories(packagesFolder)
            .SelectMany(id => Directory.EnumerateDirectories(id)
                .Where(version => File.Exists(Path.Combine(version, ".nupkg.metadata")))
                .Select(version => $"{Path.GetFileName(id)}/{Path.GetFileName(version)}".ToLowerInvariant()))
            .ToHashSet(StringComparer.Ordinal);

    private async Task RestoreAsync(string key, string what, string folder, Func<string, CancellationToken, Task<IReadOnlyList<string>>> writeSources, CancellationToken cancellationToken)
    {
        progress?.Invoke($"Restoring the offline package feed of {what} ...");
        var stage = $"{folder}.{Guid.NewGuid():N}.tmp";
        try
        {
            var sources = Path.Combine(stage, "sources");
            var projects = await writeSources(sources, cancellationToken);
            // Stop-files: nothing from the folders above the stage takes part in the restore.
            await File.WriteAllTextAsync(Path.Combine(sources, "Directory.Build.props"), "<Project />", cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(sources, "Directory.Build.targets"), "<Project />", cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(sources, "Directory.Packages.props"),
                "<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>", cancellationToken);

            var restored = Path.Combine(stage, "packages");
            foreach (var project in projects)
            {
                await DotnetRestoreAsync(project, restored, cancellationToken);
            }

            await File.WriteAllTextAsync(Path.Combine(stage, ".complete"), key, cancellationToken);
            Directory.Delete(sources, recursive: true);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.Move(stage, folder);
        }
        finally
        {
            if (Directory.Exists(stage))
            {
                Directory.Delete(stage, recursive: true);
            }
        }
    }

    /// <summary>A scenario version's own projects (template, solution, variants that change build
    /// files, hidden tests, fakes) and a project referencing every declared package.</summary>
    private static async Task<IReadOnlyList<string>> WriteScenarioSourcesAsync(ScenarioPackage package, string sources, CancellationToken cancellationToken)
    {
        var template = package.TemplateFiles.ToList();
        await WriteAsync(Path.Combine(sources, "template"), template, cancellationToken);
        await WriteAsync(Path.Combine(sources, "solution"), Execution.GradingRequest.Overlay(template, package.SolutionFiles), cancellationToken);
        foreach (var variant in package.Manifest.Variants)
        {
            var overlay = package.VariantFiles(variant.Name).ToList();
            if (overlay.Any(f => IsBuildFile(f.Path)))
            {
                await WriteAsync(Path.Combine(sources, $"variant-{variant.Name}"), Execution.GradingRequest.Overlay(template, overlay), cancellationToken);
            }
        }

        await WriteAsync(Path.Combine(sources, "grader"), package.Files.Where(f => f.Path.StartsWith("hidden/", StringComparison.Ordinal)), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(sources, "allowed.csproj"), AllowedProject(package), cancellationToken);
        return [.. Directory.EnumerateFiles(sources, "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
    }

    private static bool IsBuildFile(string path) =>
        path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".props", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".targets", StringComparison.OrdinalIgnoreCase);

    private static string AllowedProject(ScenarioPackage package)
    {
        // The declared packages, so an author can allow one the template does not use yet.
        var references = string.Concat(package.Manifest.Packages.Select(p =>
            $"""<PackageReference Include="{System.Security.SecurityElement.Escape(p.Id)}" Version="[{System.Security.SecurityElement.Escape(p.Version)}]" />"""));
        return $"""<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup>{references}</ItemGroup></Project>""";
    }

    private static async Task WriteAsync(string root, IEnumerable<PackageFile> files, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(root, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, file.Content, cancellationToken);
        }
    }

    private static async Task DotnetRestoreAsync(string project, string packages, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet", ["restore", project, "--nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["NUGET_PACKAGES"] = packages;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Restoring {project} for the offline feed failed (exit {process.ExitCode}): {await output}{await error}");
        }
    }

    private async Task EnsureVolumeAsync(string volume, string packages, string contentHash, CancellationToken cancellationToken)
    {
        // The volume this cache filled completely is known by its creation time, so an unchanged
        // one is taken without starting a helper container; one removed and made again is filled.
        var filled = Path.Combine(Path.GetDirectoryName(packages)!, ".volume");
        if (File.Exists(filled) && await CreatedAtAsync(volume, cancellationToken) is { } existing
            && await File.ReadAllTextAsync(filled, cancellationToken) == $"{volume} {existing}")
        {
            return;
        }

        await docker.Volumes.CreateAsync(new VolumesCreateParameters
        {
            Name = volume,
            Labels = new Dictionary<string, string>
            {
                [SandboxLabels.Sandbox] = "1",
                [SandboxLabels.Cache] = "feed",
                ["assessments.content-hash"] = contentHash,
            },
        }, cancellationToken);

        // A helper container fills the volume once; the marker says it was filled completely.
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image.Id,
            User = "0:0",
            Cmd = ["sleep", "infinity"],
            Labels = new Dictionary<string, string>
            {
                [SandboxLabels.Sandbox] = "1",
                [SandboxLabels.Side] = "feed-filler",
                [SandboxLabels.Expires] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            },
            HostConfig = new HostConfig
            {
                NetworkMode = "none",
                ReadonlyRootfs = true,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                Init = true,
                Mounts = [new Mount { Type = "volume", Source = volume, Target = "/nuget" }],
                LogConfig = new LogConfig { Type = "none" },
            },
        }, cancellationToken);
        try
        {
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
            if (await ExecAsync(created.ID, ["test", "-f", "/nuget/.complete"], null, cancellationToken) == 0)
            {
                await RememberFilledAsync();
                return;
            }

            progress?.Invoke($"Copying the offline package feed into volume {volume} ...");
            var tarPath = Path.Combine(Path.GetDirectoryName(packages)!, $"feed-{Guid.NewGuid():N}.tar");
            try
            {
                await WriteTarAsync(packages, tarPath, cancellationToken);
                await using var tar = File.OpenRead(tarPath);
                var extract = await ExecAsync(created.ID, ["sh", "-c", "find /nuget -mindepth 1 -delete && tar -x -f - -C /nuget --no-same-owner && chmod -R a+rX /nuget && touch /nuget/.complete"], tar, cancellationToken);
                if (extract != 0)
                {
                    throw new InvalidOperationException($"Filling the feed volume {volume} failed (exit {extract}).");
                }

                await RememberFilledAsync();
            }
            finally
            {
                File.Delete(tarPath);
            }
        }
        finally
        {
            await DockerHost.RemoveAsync(docker, created.ID);
        }

        async Task RememberFilledAsync() =>
            await File.WriteAllTextAsync(filled, $"{volume} {await CreatedAtAsync(volume, cancellationToken)}", cancellationToken);
    }

    /// <summary>Every file of the folder, dot-files included (TarFile skips what .NET calls hidden,
    /// and NuGet's <c>.nupkg.metadata</c> is what marks a package as installed).</summary>
    private static async Task WriteTarAsync(string folder, string tarPath, CancellationToken cancellationToken)
    {
        await using var output = File.Create(tarPath);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax);
        var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 });
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            await writer.WriteEntryAsync(file, Path.GetRelativePath(folder, file), cancellationToken);
        }
    }

    private async Task<string?> CreatedAtAsync(string volume, CancellationToken cancellationToken)
    {
        try
        {
            return (await docker.Volumes.InspectAsync(volume, cancellationToken)).CreatedAt;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<long> ExecAsync(string container, IReadOnlyList<string> command, Stream? stdin, CancellationToken cancellationToken)
    {
        await using var session = await ExecSession.StartAsync(docker, container, new ExecRequest(command, "0:0", "/", [], stdin), new OutputAllowance(1 << 20, 0), null, cancellationToken);
        return await session.Completion.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken);
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }
}
