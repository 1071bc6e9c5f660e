// Shortcut (id-only-cursor): the cursor is the last row's id alone, as if ids followed created_at.
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Shipping.Api.Shipments;

/// <summary>
/// Where the previous page ended: the id of its last row (ids come from an identity sequence, so
/// they grow with booking time and, unlike created_at, never tie), the sort direction and a
/// fingerprint of the filters. Opaque to clients (base64url).
/// </summary>
public sealed record SearchCursor(string Sort, long Id, string Filters)
{
    private const string Version = "v1";

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Join('|', Version, Sort, Id.ToString(CultureInfo.InvariantCulture), Filters)));

    public static SearchCursor? TryDecode(string value)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value)).Split('|');
            if (parts.Length != 4 || parts[0] != Version
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return null;
            return new SearchCursor(parts[1], id, parts[3]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A short fingerprint of the filters, so a cursor is not reused with another search.</summary>
    public static string FingerprintOf(string? status, string? carrier, DateOnly? from, DateOnly? to)
    {
        var text = $"{status}|{carrier?.ToUpperInvariant()}|{from:yyyy-MM-dd}|{to:yyyy-MM-dd}";
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash, 0, 6);
    }
}
