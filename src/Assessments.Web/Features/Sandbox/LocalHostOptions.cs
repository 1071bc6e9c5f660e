using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Features.Sandbox;

/// <summary>Where gradings on this machine's processes (<c>--local</c>) keep their working folders.</summary>
public sealed class LocalHostOptions
{
    /// <summary>The configuration key, without a section: scripts and tests set the environment
    /// variable <c>ASSESSMENTS_SCRATCH</c>, which configuration reads under the same name.</summary>
    public const string ScratchKey = "ASSESSMENTS_SCRATCH";

    /// <summary>The system's temporary folder unless <c>ASSESSMENTS_SCRATCH</c> is set.</summary>
    [Required(ErrorMessage = "ASSESSMENTS_SCRATCH must name a folder")]
    public string ScratchFolder { get; set; } = Path.GetTempPath();
}
