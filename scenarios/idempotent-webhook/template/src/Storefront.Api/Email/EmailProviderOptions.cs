namespace Storefront.Api.Email;

public class EmailProviderOptions
{
    public const string Section = "EmailProvider";

    /// <summary>Base URL of the transactional email provider's HTTP API.</summary>
    public string BaseUrl { get; set; } = "http://localhost:5025";

    public string ApiKey { get; set; } = "dev-key";

    public string From { get; set; } = "Storefront <orders@storefront.example>";

    public int TimeoutSeconds { get; set; } = 10;
}
