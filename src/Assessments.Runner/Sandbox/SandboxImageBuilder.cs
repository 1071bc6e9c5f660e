using System.Diagnostics;
using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Assessments.Runner.Sandbox;

/// <summary>Builds the sandbox image on this machine, without a registry, and names it by what it is
/// made from: <c>assessments-sandbox:&lt;inputs hash&gt;</c>. The embedded Dockerfile is built FROM a
/// local base (debootstrap plus the host's .NET SDK, see <c>LocalBaseImage</c>) with no network.
/// An image whose tag exists is reused as it is; changing the Dockerfile, the debootstrap run or the
/// host's SDK versions gives a new tag. See docs/decisions/007-sandbox-image.md.</summary>
/// <param name="docker">The engine the image is built in and the sandboxes run on.</param>
/// <param name="options">Names, mirror, SDK folder and work folder.</param>
/// <param name="progress">Receives one line per step and the build's output; nothing when the image exists.</param>
public sealed class SandboxImageBuilder(IDockerClient docker, SandboxImageOptions options, Action<string> progress)
{
    /// <summary>The label that carries an image's full inputs hash; the tag holds only its first 12 digits.</summary>
    public const string InputsLabel = "assessments.inputs";

    private const string LockFileName = "assessments-sandbox-image.lock";

    private SandboxImageInputs? _inputs;

    private SandboxImageInputs Inputs => _inputs ??= SandboxImageInputs.ForThisMachine(options);

    /// <summary>The tag the image for the current inputs has, whether or not it is built.</summary>
    public string Tag => $"{options.Repository}:{Inputs.Hash[..SandboxImageInputs.TagLength]}";

    /// <summary>The image for the current inputs, or null when it is not built.</summary>
    public async Task<SandboxImage?> FindAsync(CancellationToken cancellationToken)
    {
        var image = await InspectOrNullAsync(docker, Tag, cancellationToken);
        return image is not null && InputsOf(image) == Inputs.Hash ? new SandboxImage(Tag, image.ID, Inputs.Hash) : null;
    }

    /// <summary>The image for the current inputs, built first when missing (or when <paramref name="rebuild"/>
    /// asks for a fresh base and image, e.g. to pick up Debian's security updates). One inspect when it
    /// exists. Builds are serialised across processes by a lock file in the work folder.</summary>
    /// <exception cref="SandboxImageException">Root or debootstrap is missing for the base, or a step failed.</exception>
    public async Task<SandboxImage> EnsureAsync(bool rebuild, CancellationToken cancellationToken)
    {
        if (!rebuild && await FindAsync(cancellationToken) is { } existing)
        {
            return existing;
        }

        await using var buildLock = await LockAsync(cancellationToken);
        if (!rebuild && await FindAsync(cancellationToken) is { } builtMeanwhile)
        {
            return builtMeanwhile;
        }

        var inputs = Inputs;
        var baseImage = new LocalBaseImage(docker, options, progress);
        var baseTag = LocalBaseImage.TagFor(inputs);
        if (rebuild || !await baseImage.ExistsAsync(inputs, cancellationToken))
        {
            progress($"Building the base image {baseTag} ...");
            var baseTime = Stopwatch.StartNew();
            await baseImage.BuildAsync(inputs, cancellationToken);
            progress($"Base image {baseTag} built in {baseTime.Elapsed.TotalSeconds:0} s.");
        }

        progress($"Building {Tag} FROM {baseTag} ...");
        var imageTime = Stopwatch.StartNew();
        await BuildAsync(inputs, baseTag, noCache: rebuild, cancellationToken);
        var image = await FindAsync(cancellationToken)
                    ?? throw new SandboxImageException($"{Tag} was built, but the engine shows no image with that tag and {InputsLabel}={inputs.Hash}");
        progress($"Image {Tag} built in {imageTime.Elapsed.TotalSeconds:0} s.");
        return image;
    }

    private async Task BuildAsync(SandboxImageInputs inputs, string baseTag, bool noCache, CancellationToken cancellationToken)
    {
        using var context = DockerfileContext(inputs.Dockerfile);
        string? failure = null;
        await docker.Images.BuildImageFromDockerfileAsync(
            new ImageBuildParameters
            {
                Dockerfile = "Dockerfile",
                Tags = [Tag],
                BuildArgs = new Dictionary<string, string> { ["BASE"] = baseTag },
                Labels = new Dictionary<string, string> { [InputsLabel] = inputs.Hash },
                // Everything the image needs is in the base; a build that reaches out is a bug.
                NetworkMode = "none",
                NoCache = noCache,
                Remove = true,
                ForceRemove = true,
            },
            context,
            authConfigs: null,
            headers: null,
            new SynchronousProgress<JSONMessage>(message =>
            {
                if (message.Error is { } error)
                {
                    failure = error.Message;
                    return;
                }

                foreach (var line in (message.Stream ?? message.Status ?? "").Split('\n'))
                {
                    if (!string.IsNullOrWhiteSpace(line))
                    {
                        progress(line.TrimEnd());
                    }
                }
            }),
            cancellationToken);

        if (failure is not null)
        {
            throw new SandboxImageException($"building {Tag} failed: {failure.Trim()}");
        }
    }

    /// <summary>The build context: the Dockerfile alone (it copies nothing in).</summary>
    private static MemoryStream DockerfileContext(byte[] dockerfile)
    {
        var context = new MemoryStream();
        using (var writer = new TarWriter(context, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "Dockerfile")
            {
                DataStream = new MemoryStream(dockerfile),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = DateTimeOffset.UnixEpoch,
            });
        }

        context.Position = 0;
        return context;
    }

    /// <summary>Waits for any other process building the image: the second one then finds it built.</summary>
    private async Task<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WorkFolder);
        var path = Path.Combine(options.WorkFolder, LockFileName);
        var told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                if (!told)
                {
                    progress($"Waiting for another process building the sandbox image (lock {path}) ...");
                    told = true;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    internal static async Task<ImageInspectResponse?> InspectOrNullAsync(IDockerClient docker, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await docker.Images.InspectImageAsync(name, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    internal static string? InputsOf(ImageInspectResponse? image) =>
        image?.Config?.Labels is { } labels && labels.TryGetValue(InputsLabel, out var hash) ? hash : null;
}
