using System.Security.Cryptography;
using System.Text;

namespace Assessments.Web.Features.Git;

/// <summary>A candidate's git access token: 256 random bits, shown once, stored as its SHA-256.
/// A plain hash suffices because the token is random, not chosen by a person: there is no
/// dictionary to guess from, so a slow password hash would only slow every fetch.</summary>
public static class AccessTokens
{
    /// <summary>A new token and the hash to store; the prefix says what it is for (<c>asmt_</c>
    /// for git, <c>inv_</c> for an invitation link), so one pasted in the wrong place is recognisable.</summary>
    public static (string Token, string Hash) Create(string prefix = "asmt_")
    {
        var token = prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    /// <summary>The stored form of <paramref name="token"/>: lower-case hex SHA-256.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether <paramref name="token"/> is the one <paramref name="storedHash"/> was made
    /// from, compared in constant time.</summary>
    public static bool Matches(string token, string? storedHash) =>
        storedHash is { Length: 64 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
