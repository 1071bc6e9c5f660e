using System.ComponentModel.DataAnnotations;
using Assessments.Runner.Execution;
using Assessments.Runner.Sandbox;
using Assessments.Runner.Submissions;

namespace Assessments.Web.Features.Sandbox;

/// <summary>Where the worker role finds the Docker engine that runs gradings.</summary>
public sealed class SandboxOptions : IValidatableObject
{
    public const string Section = "Sandbox";

    /// <summary><c>unix:///var/run/docker.sock</c> by default; a worker in a container mounts the host's socket.</summary>
    public string DockerEndpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>How long a readiness check waits for the engine to answer.</summary>
    public TimeSpan DockerPingTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The image to grade in, by name; empty for the one <c>assess sandbox build-image</c>
    /// builds for this machine's inputs. Set it where the worker runs in a container and the image
    /// was built elsewhere.</summary>
    public string? Image { get; set; }

    /// <summary>Offline package feeds and grader builds, per scenario version.</summary>
    public string CacheFolder { get; set; } = GradingEngineOptions.CacheRoot;

    /// <summary>The engine's options: grader builds cached under <see cref="CacheFolder"/>.</summary>
    public GradingEngineOptions GradingEngine => new(Path.Combine(CacheFolder, "grader-builds"));

    /// <summary>Limits of every sandbox container.</summary>
    public SandboxLimits Limits { get; set; } = new();

    /// <summary>The least isolation candidate code runs under; below it gradings are refused.</summary>
    public IsolationMinimum Minimum { get; set; } = new();

    /// <summary>How much of a candidate's tree is read.</summary>
    public TreeLimits Tree { get; set; } = new();

    /// <summary>How often the worker reaps what dead gradings left on the engine. A grading's own
    /// start also reaps what an earlier attempt of it left.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Sandbox:ReapInterval must be between 00:00:01 and 1.00:00:00")]
    public TimeSpan ReapInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many variants a worker's verification grades at the same time, after the
    /// template and the solution. One by default: a verification shares the worker with
    /// candidates' gradings.</summary>
    [Range(1, 8)]
    public int VerificationVariantsAtOnce { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(DockerEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https" or "npipe"))
        {
            yield return new ValidationResult(
                $"Sandbox:DockerEndpoint '{DockerEndpoint}' is not a Docker address: set Sandbox__DockerEndpoint to e.g. unix:///var/run/docker.sock");
        }
    }
}
