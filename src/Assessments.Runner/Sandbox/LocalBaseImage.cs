using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.Runner.Sandbox;

/// <summary>The base image for hosts without a registry: a Debian root file system made with
/// debootstrap (PostgreSQL's server included), the host's .NET installation copied in, imported
/// into the engine as one layer. Needs root (debootstrap installs packages in a chroot), debootstrap
/// and the Debian mirror; no container registry.</summary>
internal sealed class LocalBaseImage(IDockerClient docker, SandboxImageOptions options, Action<string> progress)
{
    public const string Repository = "assessments-sandbox-base";

    private const string ImagePath = "/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static string TagFor(SandboxImageInputs inputs) => $"{Repository}:{inputs.BaseHash[..SandboxImageInputs.TagLength]}";

    /// <summary>Whether the engine holds the base for these inputs (by tag, confirmed by its label).</summary>
    public async Task<bool> ExistsAsync(SandboxImageInputs inputs, CancellationToken cancellationToken)
    {
        var image = await SandboxImageBuilder.InspectOrNullAsync(docker, TagFor(inputs), cancellationToken);
        return SandboxImageBuilder.InputsOf(image) == inputs.BaseHash;
    }

    public async Task BuildAsync(SandboxImageInputs inputs, CancellationToken cancellationToken)
    {
        var debootstrap = CheckRequirements();
        Directory.CreateDirectory(options.WorkFolder);
        var work = Path.Combine(Path.GetFullPath(options.WorkFolder), $"assessments-sandbox-base-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var root = Path.Combine(work, "root");
        var log = Path.Combine(options.WorkFolder, "assessments-sandbox-base.log");
        try
        {
            var debian = inputs.Debian;
            progress($"debootstrap {debian.Suite} ({debian.Variant}, {string.Join(',', debian.Include)}) from {debian.Mirror}; log: {log}");
            File.Delete(log);
            await HostProcess.RunAsync(
                debootstrap,
                [$"--variant={debian.Variant}", $"--include={string.Join(',', debian.Include)}", debian.Suite, root, debian.Mirror],
                log,
                cancellationToken);
            // The folder becomes the image's "/": 0755 whatever this process's umask.
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            EnsureNothingRunsIn(root);
            Trim(root);

            progress($"Copying the host's .NET installation ({options.DotnetRoot}) into /usr/share/dotnet ...");
            var dotnet = Path.Combine(root, "usr", "share", "dotnet");
            Directory.CreateDirectory(dotnet);
            await HostProcess.RunAsync("cp", ["-a", "--", $"{options.DotnetRoot.TrimEnd('/')}/.", dotnet], log, cancellationToken);
            var link = Path.Combine(root, "usr", "bin", "dotnet");
            File.Delete(link);
            File.CreateSymbolicLink(link, "/usr/share/dotnet/dotnet");

            progress($"Importing {TagFor(inputs)} ...");
            await ImportAsync(root, inputs, cancellationToken);
        }
        finally
        {
            await RemoveTreeAsync(work);
        }
    }

    private static string CheckRequirements()
    {
        var missing = new List<string>();
        if (!Environment.IsPrivilegedProcess)
        {
            missing.Add("root (debootstrap installs packages in a chroot)");
        }

        var debootstrap = HostProcess.Find("debootstrap");
        if (debootstrap is null)
        {
            missing.Add("debootstrap (apt-get install debootstrap)");
        }

        return missing.Count == 0
            ? debootstrap!
            : throw new SandboxImageException(
                $"the sandbox base image {Repository} is not built and building it needs {string.Join(" and ", missing)}: run `assess sandbox build-image` as root once");
    }

    /// <summary>postgresql-15's postinst creates a cluster and does not start it in the chroot (no
    /// init system answers invoke-rc.d); a process left running there would hold the temporary root.</summary>
    private static void EnsureNothingRunsIn(string root)
    {
        var running = new List<string>();
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var processRoot = new FileInfo(Path.Combine(process, "root")).LinkTarget;
                if (processRoot is not null && (processRoot == root || processRoot.StartsWith(root + "/", StringComparison.Ordinal)))
                {
                    running.Add(Path.GetFileName(process));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile, or is not ours to look at: not one debootstrap started.
            }
        }

        if (running.Count > 0)
        {
            throw new SandboxImageException($"debootstrap left processes running in {root} (pids {string.Join(", ", running)}): stop them; the base was not imported");
        }
    }

    /// <summary>What the image must not carry: the packaged cluster (every grading creates its own, as
    /// its own user), downloaded packages and package lists, the postinst's logs.</summary>
    private static void Trim(string root)
    {
        var clusters = Path.Combine(root, "var/lib/postgresql");
        if (Directory.Exists(clusters))
        {
            foreach (var cluster in Directory.EnumerateDirectories(clusters).Select(v => Path.Combine(v, "main")).Where(Directory.Exists))
            {
                Directory.Delete(cluster, recursive: true);
            }
        }

        EmptyFolder(Path.Combine(root, "etc/postgresql"));
        EmptyFolder(Path.Combine(root, "var/log/postgresql"));
        EmptyFolder(Path.Combine(root, "var/lib/apt/lists"));
        foreach (var deb in Directory.EnumerateFiles(Path.Combine(root, "var/cache/apt/archives"), "*.deb"))
        {
            File.Delete(deb);
        }
    }

    private static void EmptyFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo { LinkTarget: null } directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary><c>tar -C ROOT -c .</c> streamed into the engine's import: tar writes the real owners,
    /// modes, links and device nodes, which a tar written here from .NET would have to reproduce.</summary>
    private async Task ImportAsync(string root, SandboxImageInputs inputs, CancellationToken cancellationToken)
    {
        var tag = TagFor(inputs);
        var info = new ProcessStartInfo("tar", ["--numeric-owner", "-C", root, "-c", "."])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var tar = Process.Start(info) ?? throw new SandboxImageException("tar did not start");
        var tarErrors = tar.StandardError.ReadToEndAsync(CancellationToken.None);
        string? failure = null;
        try
        {
            await docker.Images.CreateImageAsync(
                new ImagesCreateParameters
                {
                    FromSrc = "-",
                    Repo = Repository,
                    Tag = tag[(Repository.Length + 1)..],
                    Changes =
                    [
                        $"ENV PATH={ImagePath}",
                        "ENV DOTNET_ROOT=/usr/share/dotnet",
                        $"LABEL {SandboxImageBuilder.InputsLabel}={inputs.BaseHash}",
                    ],
                },
                tar.StandardOutput.BaseStream,
                authConfig: null,
                new SynchronousProgress<JSONMessage>(message =>
                {
                    if (message.Error is { } error)
                    {
                        failure = error.Message;
                    }
                    else if (!string.IsNullOrWhiteSpace(message.Status))
                    {
                        progress($"Imported {tag}: {message.Status.Trim()}");
                    }
                }),
                cancellationToken);
            if (failure is null)
            {
                await tar.WaitForExitAsync(cancellationToken);
            }
        }
        finally
        {
            if (!tar.HasExited)
            {
                tar.Kill(entireProcessTree: true);
                await tar.WaitForExitAsync(CancellationToken.None);
            }
        }

        if (failure is null && tar.ExitCode != 0)
        {
            failure = $"tar exited with {tar.ExitCode}: {(await tarErrors).Trim()}";
        }

        if (failure is not null)
        {
            // A truncated stream still imports; an image that lacks files must not keep the tag.
            await RemoveImageAsync(tag);
            throw new SandboxImageException($"importing {tag} failed: {failure}");
        }
    }

    private async Task RemoveImageAsync(string tag)
    {
        try
        {
            await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true }, CancellationToken.None);
        }
        catch (DockerImageNotFoundException)
        {
            // Nothing was imported.
        }
    }

    /// <summary>Deletes the temporary root, never through a mount: debootstrap mounts <c>/proc</c> (and in
    /// a container binds device nodes) inside it and unmounts them when it exits, but not when killed.</summary>
    private async Task RemoveTreeAsync(string work)
    {
        try
        {
            foreach (var mount in MountsUnder(work).OrderByDescending(m => m.Length))
            {
                await HostProcess.TryRunAsync("umount", ["--lazy", mount]);
            }

            if (MountsUnder(work) is { Count: > 0 } remaining)
            {
                progress($"warning: left {work} in place: {string.Join(", ", remaining)} still mounted; unmount, then delete it");
                return;
            }

            await HostProcess.RunAsync("rm", ["-rf", "--one-file-system", "--", work], log: null, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SandboxImageException or UnauthorizedAccessException)
        {
            progress($"warning: could not delete {work}: {e.Message}");
        }
    }

    private static List<string> MountsUnder(string folder) =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(point => point == folder || point.StartsWith(folder + "/", StringComparison.Ordinal))
            .ToList();

    /// <summary>mountinfo writes space, tab, newline and backslash as <c>\ooo</c> octal escapes.</summary>
    private static string Unescape(string field) =>
        System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
