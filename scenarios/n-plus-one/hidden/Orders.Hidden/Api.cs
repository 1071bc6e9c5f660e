using System.Net.Http.Json;
using System.Text.Json;

namespace Orders.Hidden;

/// <summary>The service's HTTP API as the grader uses it.</summary>
public static class Api
{
    public static async Task<JsonElement> GetPageAsync(string url, CancellationToken ct)
    {
        using var response = await Grader.Service.GetAsync(url.TrimStart('/'), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode,
            $"GET {url} answered {(int)response.StatusCode}: {Truncate(body)}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Sends a JSON body; returns the JSON answer (Undefined when there is none) and the Location header.</summary>
    public static async Task<(JsonElement Body, Uri? Location)> SendAsync(HttpMethod method, string url, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url.TrimStart('/')) { Content = JsonContent.Create(body) };
        using var response = await Grader.Service.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode,
            $"{method} {url} answered {(int)response.StatusCode}: {Truncate(text)}");
        JsonElement json = default;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try { json = JsonDocument.Parse(text).RootElement.Clone(); }
            catch (JsonException) { }
        }
        return (json, response.Headers.Location);
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "...";
}
