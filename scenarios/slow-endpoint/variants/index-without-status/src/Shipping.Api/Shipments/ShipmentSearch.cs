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
    SearchCursor? Cursor)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const string NewestFirst = "created_desc";
    public const string OldestFirst = "created_asc";

    /// <summary>The filters' fingerprint a cursor of this search carries.</summary>
    public string Filters => SearchCursor.FingerprintOf(Status, Carrier, From, To);

    /// <summary>Parses and validates the query string; returns the errors by parameter name.</summary>
    public static (SearchCriteria? Criteria, Dictionary<string, string[]> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>();

        string? status = query["status"].FirstOrDefault() is { Length: > 0 } s ? s.Trim() : null;
        if (status is not null && !ShipmentStatus.IsKnown(status))
            errors["status"] = [$"Unknown status '{status}'. Known: {string.Join(", ", ShipmentStatus.All)}."];

        // Carrier codes are stored upper-case; the dashboard sends them as the user typed them.
        // Normalising the input (not the column) keeps the predicate usable by an index.
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
        var pageGiven = query["page"].FirstOrDefault() is { Length: > 0 } p;
        if (pageGiven && (!int.TryParse(query["page"].FirstOrDefault(), out page) || page < 1))
            errors["page"] = ["Expected a page number from 1."];

        var pageSize = DefaultPageSize;
        if (query["pageSize"].FirstOrDefault() is { Length: > 0 } ps && (!int.TryParse(ps, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
            errors["pageSize"] = [$"Expected a page size from 1 to {MaxPageSize}."];

        SearchCursor? cursor = null;
        if (query["cursor"].FirstOrDefault() is { Length: > 0 } cur)
        {
            cursor = SearchCursor.TryDecode(cur);
            if (cursor is null)
                errors["cursor"] = ["Not a cursor this API handed out."];
            else if (pageGiven)
                errors["cursor"] = ["Use either cursor or page, not both."];
            else if (cursor.Sort != sort || cursor.Filters != SearchCursor.FingerprintOf(status, carrier, from, to))
                errors["cursor"] = ["This cursor belongs to a search with other filters or another sort."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new SearchCriteria(status, carrier, from, to, sort, page, pageSize, cursor), errors);
    }
}

/// <summary>
/// The search behind the operations dashboard. Served by ix_shipments_carrier_status_created_at_id:
/// every predicate is a plain comparison on an indexed column (no function around a column), the
/// order is the index order, and pages continue from a keyset cursor instead of an OFFSET, so each
/// page reads about pageSize index entries and heap rows wherever it starts.
/// </summary>
public sealed class ShipmentSearch(ShippingDbContext db)
{
    public async Task<SearchPage> SearchAsync(SearchCriteria criteria, CancellationToken ct)
    {
        IQueryable<Shipment> query = db.Shipments.AsNoTracking();

        if (criteria.Status is not null)
            query = query.Where(s => s.Status == criteria.Status);

        if (criteria.Carrier is not null)
            query = query.Where(s => s.Carrier == criteria.Carrier);

        // From and to are whole days in UTC, both inclusive: a half-open range on the raw column.
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

        // Keyset: strictly after the last row of the previous page in (created_at, id) order.
        // Written as "created_at <= x AND (created_at < x OR id < y)" so that created_at <= x is an
        // index condition (the scan starts at the cursor) and only rows tied on created_at are
        // filtered; the equivalent "created_at < x OR (created_at = x AND id < y)" would scan the
        // index from the top and filter away every earlier page.
        if (criteria.Cursor is { } cursor)
        {
            var at = cursor.CreatedAt;
            var id = cursor.Id;
            query = newestFirst
                ? query.Where(s => s.CreatedAt <= at && (s.CreatedAt < at || s.Id < id))
                : query.Where(s => s.CreatedAt >= at && (s.CreatedAt > at || s.Id > id));
        }

        // id breaks ties: shipments of one bulk label import share created_at.
        query = newestFirst
            ? query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            : query.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id);

        // Old dashboard builds still page by number; that stays an OFFSET (deep pages stay slow).
        if (criteria.Cursor is null && criteria.Page > 1)
            query = query.Skip((criteria.Page - 1) * criteria.PageSize);

        // One row more than asked tells us whether there is a next page.
        var rows = await query.Take(criteria.PageSize + 1).ToListAsync(ct);

        var items = rows.Take(criteria.PageSize).Select(ShipmentDto.From).ToList();
        var hasMore = rows.Count > criteria.PageSize;
        var next = hasMore
            ? new SearchCursor(criteria.Sort, items[^1].CreatedAt, items[^1].Id, criteria.Filters).Encode()
            : null;
        return new SearchPage(items, criteria.PageSize, hasMore, next);
    }
}
