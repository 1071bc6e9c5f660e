using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shipping.Api.Data;

namespace Shipping.Api.Shipments;

/// <summary>The query string of GET /api/shipments/search, validated.</summary>
public sealed record SearchCriteria(
    string? Status,
    string? Carrier,
    DateOnly? From,
    DateOnly? To,
    string Sort,
    int Page,
    int PageSize,
    (DateTime CreatedAt, long Id)? After)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const string NewestFirst = "created_desc";
    public const string OldestFirst = "created_asc";

    public static (SearchCriteria? Criteria, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>();

        string? status = query["status"].FirstOrDefault() is { Length: > 0 } s ? s.Trim() : null;
        if (status is not null && !ShipmentStatus.IsKnown(status))
            errors["status"] = [$"Unknown status '{status}'. Known: {string.Join(", ", ShipmentStatus.All)}."];

        string? carrier = query["carrier"].FirstOrDefault() is { Length: > 0 } c ? c.Trim().ToUpperInvariant() : null;

        DateOnly? from = null, to = null;
        if (query["from"].FirstOrDefault() is { Length: > 0 } f)
        {
            if (DateOnly.TryParseExact(f, "yyyy-MM-dd", out var d)) from = d;
            else errors["from"] = ["Expected a date as yyyy-MM-dd."];
        }
        if (query["to"].FirstOrDefault() is { Length: > 0 } t)
        {
            if (DateOnly.TryParseExact(t, "yyyy-MM-dd", out var d)) to = d;
            else errors["to"] = ["Expected a date as yyyy-MM-dd."];
        }
        if (from is not null && to is not null && from > to)
            errors["to"] = ["'to' is before 'from'."];

        var sort = query["sort"].FirstOrDefault() is { Length: > 0 } so ? so.Trim() : NewestFirst;
        if (sort is not (NewestFirst or OldestFirst))
            errors["sort"] = [$"Unknown sort '{sort}'. Known: {NewestFirst}, {OldestFirst}."];

        var page = 1;
        if (query["page"].FirstOrDefault() is { Length: > 0 } p && (!int.TryParse(p, out page) || page < 1))
            errors["page"] = ["Expected a page number from 1."];

        var pageSize = DefaultPageSize;
        if (query["pageSize"].FirstOrDefault() is { Length: > 0 } ps && (!int.TryParse(ps, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
            errors["pageSize"] = [$"Expected a page size from 1 to {MaxPageSize}."];

        (DateTime, long)? after = null;
        if (query["cursor"].FirstOrDefault() is { Length: > 0 } cursor)
        {
            after = DecodeCursor(cursor);
            if (after is null) errors["cursor"] = ["Invalid cursor."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new SearchCriteria(status, carrier, from, to, sort, page, pageSize, after), errors);
    }

    // "<microseconds since epoch in hex>-<id in hex>": the row-value (created_at, id) of the last row.
    public static string EncodeCursor(DateTime createdAt, long id) =>
        $"{(createdAt.Ticks - DateTime.UnixEpoch.Ticks) / 10:x}-{id:x}";

    private static (DateTime, long)? DecodeCursor(string cursor)
    {
        var parts = cursor.Split('-');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var micros)
            || !long.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)
            || micros < 0 || micros > (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10)
            return null;
        return (new DateTime(DateTime.UnixEpoch.Ticks + micros * 10, DateTimeKind.Utc), id);
    }
}

/// <summary>The dashboard search, keyset-paged with a row-value comparison on (created_at, id).</summary>
public sealed class ShipmentSearch(ShippingDbContext db)
{
    public async Task<SearchPage> SearchAsync(SearchCriteria criteria, CancellationToken ct)
    {
        IQueryable<Shipment> query = db.Shipments.AsNoTracking();

        if (criteria.Status is not null)
            query = query.Where(s => s.Status == criteria.Status);
        if (criteria.Carrier is not null)
            query = query.Where(s => s.Carrier == criteria.Carrier);
        if (criteria.From is { } from)
        {
            var fromUtc = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(s => s.CreatedAt >= fromUtc);
        }
        if (criteria.To is { } to)
        {
            var beforeUtc = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(s => s.CreatedAt < beforeUtc);
        }

        var newestFirst = criteria.Sort != SearchCriteria.OldestFirst;
        if (criteria.After is var (at, id))
        {
            query = newestFirst
                ? query.Where(s => EF.Functions.LessThan(ValueTuple.Create(s.CreatedAt, s.Id), ValueTuple.Create(at, id)))
                : query.Where(s => EF.Functions.GreaterThan(ValueTuple.Create(s.CreatedAt, s.Id), ValueTuple.Create(at, id)));
        }

        query = newestFirst
            ? query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            : query.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id);

        if (criteria.After is null && criteria.Page > 1)
            query = query.Skip((criteria.Page - 1) * criteria.PageSize);

        var rows = await query.Take(criteria.PageSize + 1).ToListAsync(ct);
        var items = rows.Take(criteria.PageSize).Select(ShipmentDto.From).ToList();
        var hasMore = rows.Count > criteria.PageSize;
        return new SearchPage(items, criteria.PageSize, hasMore,
            hasMore ? SearchCriteria.EncodeCursor(items[^1].CreatedAt, items[^1].Id) : null);
    }
}
