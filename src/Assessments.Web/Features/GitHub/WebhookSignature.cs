using System.Security.Cryptography;
using System.Text;

namespace Assessments.Web.Features.GitHub;

/// <summary>GitHub's <c>X-Hub-Signature-256</c>: <c>sha256=</c> and the lower-case hex HMAC-SHA256
/// of the raw body under the webhook's secret.</summary>
public static class WebhookSignature
{
    private const string Prefix = "sha256=";

    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Whether <paramref name="header"/> signs <paramref name="body"/>; compared in
    /// constant time, so timing says nothing about how much of a forgery was right.</summary>
    public static bool IsValid(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }
}
