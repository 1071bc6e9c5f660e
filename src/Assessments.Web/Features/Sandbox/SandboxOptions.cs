using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Features.Sandbox;

/// <summary>Where the worker role finds the Docker engine that runs gradings.</summary>
public sealed class SandboxOptions : IValidatableObject
{
    public const string Section = "Sandbox";

    /// <summary><c>unix:///var/run/docker.sock</c> by default; a worker in a container mounts the host's socket.</summary>
    public string DockerEndpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>How long a readiness check waits for the engine to answer.</summary>
    public TimeSpan DockerPingTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(DockerEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https" or "npipe"))
        {
            yield return new ValidationResult(
                $"Sandbox:DockerEndpoint '{DockerEndpoint}' is not a Docker address: set Sandbox__DockerEndpoint to e.g. unix:///var/run/docker.sock");
        }
    }
}
