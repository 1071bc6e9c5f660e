namespace Assessments.Runner.Sandbox;

/// <summary>The sandbox image built for the current inputs.</summary>
/// <param name="Tag"><c>assessments-sandbox:&lt;first 12 hex digits of the inputs hash&gt;</c>.</param>
/// <param name="Id">The engine's image id, <c>sha256:…</c>: what containers are created from, so a
/// later rebuild under the same tag cannot change a grading that already started.</param>
/// <param name="InputsHash">The full SHA-256 (lower-case hex) of everything the image is made from.</param>
public sealed record SandboxImage(string Tag, string Id, string InputsHash);

/// <summary>Where the sandbox image comes from and where it is built.</summary>
/// <param name="Repository">The final image's repository name; its tag is the inputs hash.</param>
/// <param name="DebianMirror">The mirror debootstrap fetches the local base's packages from.</param>
/// <param name="DotnetRoot">The host's .NET installation, copied into the base as <c>/usr/share/dotnet</c>.</param>
/// <param name="WorkFolder">Holds the build lock and the temporary root file system (about 1 GB, deleted after the import).</param>
public sealed record SandboxImageOptions(
    string Repository = "assessments-sandbox",
    string DebianMirror = "http://deb.debian.org/debian",
    string DotnetRoot = "/usr/share/dotnet",
    string WorkFolder = "/var/tmp");

/// <summary>The sandbox image cannot be built here; the message is one line saying what is missing or what failed.</summary>
public sealed class SandboxImageException(string message, Exception? inner = null) : Exception(message, inner);
