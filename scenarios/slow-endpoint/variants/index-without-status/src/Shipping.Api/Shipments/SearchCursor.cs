using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Shipping.Api.Shipments;

/// <summary>
/// Where the previous page ended: the sort key (created_at, id) of its last row, the sort
/// direction it was taken in and a fingerprint of the filters. Opaque to clients (base64url);
/// the next page continues strictly after that key, so rows that arrive or disappear meanwhile
/// never shift the pages.
/// </summary>
public sealed record SearchCursor(string Sort, DateTime CreatedAt, long Id, string Filters)
{
    private const string Version = "v1";

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Join('|', Version, Sort, CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture), Id.ToString(CultureInfo.InvariantCulture), Filters)));

    public static SearchCursor? TryDecode(string value)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value)).Split('|');
            if (parts.Length != 5 || parts[0] != Version
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks
                || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return null;
            return new SearchCursor(parts[1], new DateTime(ticks, DateTimeKind.Utc), id, parts[4]);
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
