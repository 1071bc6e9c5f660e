using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Storefront.Api.Email;

public record EmailMessage(string To, string Subject, string Text);

/// <summary>Thin client for the email provider: POST {BaseUrl}/v1/messages.</summary>
public class EmailClient(HttpClient http, IOptions<EmailProviderOptions> options, ILogger<EmailClient> log)
{
    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        var o = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
        {
            Content = JsonContent.Create(new { from = o.From, to = message.To, subject = message.Subject, text = message.Text }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", o.ApiKey);

        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            log.LogWarning("Email provider answered {Status} for {Subject}: {Body}", (int)response.StatusCode, message.Subject, body);
            throw new EmailProviderException($"email provider answered {(int)response.StatusCode}");
        }
        log.LogInformation("Email '{Subject}' accepted by the provider for {To}", message.Subject, message.To);
    }
}

public class EmailProviderException(string message) : Exception(message);

public static class EmailServiceCollectionExtensions
{
    public static IServiceCollection AddEmailProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<EmailProviderOptions>(configuration.GetSection(EmailProviderOptions.Section));
        services.AddHttpClient<EmailClient>((sp, http) =>
        {
            var o = sp.GetRequiredService<IOptions<EmailProviderOptions>>().Value;
            http.BaseAddress = new Uri(o.BaseUrl.TrimEnd('/') + "/");
            http.Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        });
        return services;
    }
}
