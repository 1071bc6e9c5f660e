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
    int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const string NewestFirst = "created_desc";
    public const string OldestFirst = "created_asc";

    /// <summary>Parses and validates the query string; returns the errors by parameter name.</summary>
    public static (SearchCriteria? Criteria, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>();

        string? status = query["status"].FirstOrDefault() is { Length: > 0 } s ? s.Trim() : null;
        if (status is not null && !ShipmentStatus.IsKnown(status))
            errors["status"] = [$"Unknown status '{status}'. Known: {string.Join(", ", ShipmentStatus.All)}."];

        string? carrier = query["carrier"].FirstOrDefault() is { Length: > 0 } c ? c.Trim() : null;

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

        // The cursor is the next page number, base64-encoded so clients treat it as opaque.
        if (query["cursor"].FirstOrDefault() is { Length: > 0 } cur)
        {
            try
            {
                var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cur));
                if (!text.StartsWith("page:") || !int.TryParse(text[5..], out page) || page < 1)
                    errors["cursor"] = ["Not a cursor this API handed out."];
            }
            catch (FormatException)
            {
                errors["cursor"] = ["Not a cursor this API handed out."];
            }
        }

        var pageSize = DefaultPageSize;
        if (query["pageSize"].FirstOrDefault() is { Length: > 0 } ps && (!int.TryParse(ps, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
            errors["pageSize"] = [$"Expected a page size from 1 to {MaxPageSize}."];

        return errors.Count > 0
            ? (null, errors)
            : (new SearchCriteria(status, carrier, from, to, sort, page, pageSize), errors);
    }
}

/// <summary>The search behind the operations dashboard.</summary>
public sealed class ShipmentSearch(ShippingDbContext db)
{
    public async Task<SearchPage> SearchAsync(SearchCriteria criteria, CancellationToken ct)
    {
        IQueryable<Shipment> query = db.Shipments;

        if (criteria.Status is not null)
            query = query.Where(s => s.Status == criteria.Status);

        // The dashboard sends carrier codes as the user typed them ("dhl", "PostNL").
        if (criteria.Carrier is not null)
        {
            var carrier = criteria.Carrier.ToUpperInvariant();
            query = query.Where(s => s.Carrier == carrier);
        }

        // From and to are whole days in UTC, both inclusive.
        if (criteria.From is { } from)
        {
            var fromDay = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(s => s.CreatedAt >= fromDay);
        }
        if (criteria.To is { } to)
        {
            var beforeDay = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(s => s.CreatedAt < beforeDay);
        }

        query = criteria.Sort == SearchCriteria.OldestFirst
            ? query.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id)
            : query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id);

        // One row more than asked tells us whether there is a next page.
        var rows = await query
            .Skip((criteria.Page - 1) * criteria.PageSize)
            .Take(criteria.PageSize + 1)
            .ToListAsync(ct);

        var items = rows.Take(criteria.PageSize).Select(ShipmentDto.From).ToList();
        var hasMore = rows.Count > criteria.PageSize;
        var next = hasMore ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"page:{criteria.Page + 1}")) : null;
        return new SearchPage(items, criteria.PageSize, hasMore, next);
    }
}
