using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Common;

/// <summary>Where users reach this installation. Every link the product prints or mails is built
/// from it, never from the request's Host header (which a proxy or an attacker controls).</summary>
public sealed class PublicUrlOptions : IValidatableObject
{
    public const string Section = "Web";

    private const string NotSet = "Web:PublicBaseUrl is not set: set Web__PublicBaseUrl to the address users reach this server at (e.g. https://assess.example.com)";

    public string? PublicBaseUrl { get; set; }

    /// <summary>An absolute link for a path of this application (<c>/invitations/abc</c>).</summary>
    /// <exception cref="OptionsValidationException">When no address is set: a process that does not
    /// need one at start (a worker, a command) learns it when it first builds a link.</exception>
    public string Link(string path)
    {
        var baseUrl = string.IsNullOrWhiteSpace(PublicBaseUrl)
            ? throw new OptionsValidationException(Options.DefaultName, typeof(PublicUrlOptions), [NotSet])
            : PublicBaseUrl;
        return new Uri(new Uri(baseUrl.TrimEnd('/') + "/"), path.TrimStart('/')).ToString();
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Problems(required: true).Select(problem => new ValidationResult(problem));

    /// <summary>What is wrong with the address; an unset one only when <paramref name="required"/>.</summary>
    internal IEnumerable<string> Problems(bool required)
    {
        if (string.IsNullOrWhiteSpace(PublicBaseUrl))
        {
            if (required)
            {
                yield return NotSet;
            }
        }
        else if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return $"Web:PublicBaseUrl '{PublicBaseUrl}' is not an absolute http(s) address: set Web__PublicBaseUrl to e.g. https://assess.example.com";
        }
    }
}

public static class PublicUrlExtensions
{
    /// <summary>The <c>Web</c> section, registered once per process and validated at start: a set
    /// address must be an absolute http(s) one everywhere; an unset one stops only a process that
    /// is <paramref name="requiredAtStart"/> (the web role, whose every page links). A worker or a
    /// command builds links only for some actions (GitHub webhooks, invitations) and fails there,
    /// saying what to set.</summary>
    public static IHostApplicationBuilder AddPublicUrl(this IHostApplicationBuilder builder, bool requiredAtStart)
    {
        builder.Services.AddOptions<PublicUrlOptions>()
            .BindConfiguration(PublicUrlOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PublicUrlOptions>>(new PublicUrlValidation(requiredAtStart));
        return builder;
    }

    private sealed class PublicUrlValidation(bool required) : IValidateOptions<PublicUrlOptions>
    {
        public ValidateOptionsResult Validate(string? name, PublicUrlOptions options)
        {
            var problems = options.Problems(required).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
