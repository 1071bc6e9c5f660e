using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Hosting;

/// <summary>Where users reach this installation. Every link the product prints or mails is built
/// from it, never from the request's Host header (which a proxy or an attacker controls).</summary>
public sealed class PublicUrlOptions : IValidatableObject
{
    public const string Section = "Web";

    public string? PublicBaseUrl { get; set; }

    /// <summary>An absolute link for a path of this application (<c>/invitations/abc</c>).</summary>
    public string Link(string path) => new Uri(new Uri(PublicBaseUrl!.TrimEnd('/') + "/"), path.TrimStart('/')).ToString();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(PublicBaseUrl))
        {
            yield return new ValidationResult(
                "Web:PublicBaseUrl is not set: set Web__PublicBaseUrl to the address users reach this server at (e.g. https://assess.example.com)");
        }
        else if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult(
                $"Web:PublicBaseUrl '{PublicBaseUrl}' is not an absolute http(s) address: set Web__PublicBaseUrl to e.g. https://assess.example.com");
        }
    }
}
