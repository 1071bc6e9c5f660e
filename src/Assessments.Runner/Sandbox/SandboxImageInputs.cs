using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Assessments.Runner.Sandbox;

/// <summary>The debootstrap run that makes the local base: Debian with PostgreSQL's server binaries
/// and what the .NET runtime needs, before the host's SDK is copied in.</summary>
internal sealed record DebianBase(string Suite, string Variant, IReadOnlyList<string> Include, string Mirror)
{
    public static DebianBase Bookworm(string mirror) =>
        new("bookworm", "minbase", ["libicu72", "libssl3", "ca-certificates", "tzdata", "postgresql-15", "procps"], mirror);
}

/// <summary>Everything the sandbox image is made from, and the hashes that name it. Two machines with
/// the same Dockerfile, debootstrap run and SDK versions get the same tag; changing any of them gives
/// a new tag, so an image is never silently reused for inputs it was not built from.</summary>
/// <remarks>The canonical form is fields <c>name=value</c>, each ended by NUL, in a fixed order (lists
/// sorted ordinally); the base hash covers the debootstrap run and the host SDK, the image hash covers
/// the base hash and the Dockerfile's bytes. See docs/decisions/007-sandbox-image.md.</remarks>
internal sealed class SandboxImageInputs
{
    public const string DockerfileResource = "Assessments.Runner.Sandbox.Dockerfile";

    /// <summary>How many hex digits of a hash go into a tag.</summary>
    public const int TagLength = 12;

    public SandboxImageInputs(byte[] dockerfile, DebianBase debian, IEnumerable<string> hostSdk, string architecture)
    {
        Dockerfile = dockerfile;
        Debian = debian;
        HostSdk = [.. hostSdk.Order(StringComparer.Ordinal)];
        Architecture = architecture;
        BaseHash = Hash256(BaseForm());
        Hash = Hash256(ImageForm());
    }

    public byte[] Dockerfile { get; }

    public DebianBase Debian { get; }

    /// <summary>The host SDK's identity: <c>sdk/10.0.401</c>, <c>shared/Microsoft.NETCore.App/10.0.12</c>, … sorted.</summary>
    public IReadOnlyList<string> HostSdk { get; }

    public string Architecture { get; }

    /// <summary>SHA-256 (lower-case hex) of the local base's inputs: the debootstrap run and the host SDK.</summary>
    public string BaseHash { get; }

    /// <summary>SHA-256 (lower-case hex) of the final image's inputs: the base hash and the Dockerfile.</summary>
    public string Hash { get; }

    /// <summary>The inputs on this machine: the embedded Dockerfile, bookworm from <see cref="SandboxImageOptions.DebianMirror"/>
    /// and the SDK in <see cref="SandboxImageOptions.DotnetRoot"/>.</summary>
    public static SandboxImageInputs ForThisMachine(SandboxImageOptions options) => new(
        ReadDockerfile(),
        DebianBase.Bookworm(options.DebianMirror),
        ReadHostSdk(options.DotnetRoot),
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant());

    public static byte[] ReadDockerfile()
    {
        using var stream = typeof(SandboxImageInputs).Assembly.GetManifestResourceStream(DockerfileResource)
                           ?? throw new InvalidOperationException($"The embedded resource {DockerfileResource} is missing from {typeof(SandboxImageInputs).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The folders under <c>sdk/</c> and <c>shared/*/</c>: which SDK and runtimes the image gets.</summary>
    public static IReadOnlyList<string> ReadHostSdk(string dotnetRoot)
    {
        var sdk = Path.Combine(dotnetRoot, "sdk");
        var shared = Path.Combine(dotnetRoot, "shared");
        if (!Directory.Exists(sdk) || !Directory.Exists(shared) || !File.Exists(Path.Combine(dotnetRoot, "dotnet")))
        {
            throw new SandboxImageException(
                $"no .NET SDK in {dotnetRoot} (expected dotnet, sdk/ and shared/ there): the sandbox image copies the host's SDK; install it or point DotnetRoot at it");
        }

        return
        [
            .. Directory.EnumerateDirectories(sdk).Select(d => $"sdk/{Path.GetFileName(d)}"),
            .. Directory.EnumerateDirectories(shared).SelectMany(framework =>
                Directory.EnumerateDirectories(framework).Select(d => $"shared/{Path.GetFileName(framework)}/{Path.GetFileName(d)}")),
        ];
    }

    private byte[] BaseForm()
    {
        var form = new StringBuilder();
        Field(form, "assessments-sandbox-base", "v1");
        Field(form, "suite", Debian.Suite);
        Field(form, "variant", Debian.Variant);
        Field(form, "include", string.Join(',', Debian.Include.Order(StringComparer.Ordinal)));
        Field(form, "mirror", Debian.Mirror);
        Field(form, "architecture", Architecture);
        foreach (var entry in HostSdk)
        {
            Field(form, "sdk", entry);
        }

        return Encoding.UTF8.GetBytes(form.ToString());
    }

    private byte[] ImageForm()
    {
        var form = new StringBuilder();
        Field(form, "assessments-sandbox-image", "v1");
        Field(form, "base", BaseHash);
        Field(form, "dockerfile", Dockerfile.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return [.. Encoding.UTF8.GetBytes(form.ToString()), .. Dockerfile];
    }

    private static void Field(StringBuilder form, string name, string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The sandbox image input {name} contains a NUL character.", nameof(value));
        }

        form.Append(name).Append('=').Append(value).Append('\0');
    }

    private static string Hash256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
