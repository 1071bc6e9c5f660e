using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Shipping.Api.Data;

namespace Shipping.Api.Shipments;

public static class ShipmentEndpoints
{
    public static void MapShipments(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/shipments");

        api.MapGet("/search", Search);
        api.MapGet("/{trackingNumber}", GetByTrackingNumber);
        api.MapPost("/", Create);
        api.MapPost("/{trackingNumber}/events", RecordTrackingEvent);
    }

    /// <summary>GET /api/shipments/search?status=&amp;carrier=&amp;from=&amp;to=&amp;sort=&amp;page=&amp;pageSize=</summary>
    private static async Task<IResult> Search(HttpRequest request, ShipmentSearch search, ILoggerFactory loggers, CancellationToken ct)
    {
        var (criteria, errors) = SearchCriteria.Parse(request.Query);
        if (criteria is null)
            return Results.ValidationProblem(errors);

        var started = Stopwatch.GetTimestamp();
        var page = await search.SearchAsync(criteria, ct);
        loggers.CreateLogger("Shipping.Api.Search").LogInformation(
            "Search status={Status} carrier={Carrier} from={From:yyyy-MM-dd} to={To:yyyy-MM-dd} sort={Sort} page={Page} pageSize={PageSize}: {Count} rows in {Elapsed:0.0} ms",
            criteria.Status, criteria.Carrier, criteria.From, criteria.To, criteria.Sort, criteria.Page, criteria.PageSize,
            page.Items.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Results.Ok(page);
    }

    private static async Task<IResult> GetByTrackingNumber(string trackingNumber, ShippingDbContext db, CancellationToken ct)
    {
        var shipment = await db.Shipments.AsNoTracking().SingleOrDefaultAsync(s => s.TrackingNumber == trackingNumber, ct);
        return shipment is null ? Results.NotFound() : Results.Ok(ShipmentDto.From(shipment));
    }

    private static async Task<IResult> Create(CreateShipmentRequest body, ShippingDbContext db, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var carrier = body.Carrier?.Trim().ToUpperInvariant() ?? "";
        if (!Carriers.All.Contains(carrier))
            errors["carrier"] = [$"Unknown carrier '{body.Carrier}'. Known: {string.Join(", ", Carriers.All)}."];
        var status = body.Status ?? ShipmentStatus.LabelCreated;
        if (!ShipmentStatus.IsKnown(status))
            errors["status"] = [$"Unknown status '{status}'."];
        var serviceLevel = body.ServiceLevel ?? "standard";
        if (serviceLevel is not ("standard" or "express" or "economy"))
            errors["serviceLevel"] = ["Expected standard, express or economy."];
        if (body.OriginCountry is not { Length: 2 })
            errors["originCountry"] = ["Expected an ISO 3166 alpha-2 country code."];
        if (body.DestinationCountry is not { Length: 2 })
            errors["destinationCountry"] = ["Expected an ISO 3166 alpha-2 country code."];
        if (string.IsNullOrWhiteSpace(body.DestinationPostcode) || body.DestinationPostcode.Length > 10)
            errors["destinationPostcode"] = ["Expected a postcode of at most 10 characters."];
        if (body.WeightGrams is < 1 or > 70_000)
            errors["weightGrams"] = ["Expected a weight from 1 g to 70 kg."];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors);

        var now = clock.GetUtcNow().UtcDateTime;
        var shipment = new Shipment
        {
            TrackingNumber = "SHN" + Guid.NewGuid().ToString("N")[..13].ToUpperInvariant(),
            MerchantId = body.MerchantId,
            MerchantReference = body.MerchantReference ?? "",
            Carrier = carrier,
            ServiceLevel = serviceLevel,
            Status = status,
            OriginCountry = body.OriginCountry!.ToUpperInvariant(),
            DestinationCountry = body.DestinationCountry!.ToUpperInvariant(),
            DestinationPostcode = body.DestinationPostcode.Trim(),
            WeightGrams = body.WeightGrams,
            CreatedAt = now,
            UpdatedAt = now,
            DeliveredAt = status == ShipmentStatus.Delivered ? now : null,
        };
        db.Shipments.Add(shipment);
        await db.SaveChangesAsync(ct);

        loggers.CreateLogger("Shipping.Api.Shipments").LogInformation(
            "Shipment {TrackingNumber} booked with {Carrier} for merchant {MerchantId}", shipment.TrackingNumber, carrier, shipment.MerchantId);
        return Results.Created($"/api/shipments/{shipment.TrackingNumber}", ShipmentDto.From(shipment));
    }

    private static async Task<IResult> RecordTrackingEvent(string trackingNumber, TrackingEventRequest body, ShippingDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (body.Status is null || !ShipmentStatus.IsKnown(body.Status))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Unknown status '{body.Status}'."] });

        var shipment = await db.Shipments.SingleOrDefaultAsync(s => s.TrackingNumber == trackingNumber, ct);
        if (shipment is null)
            return Results.NotFound();

        var now = clock.GetUtcNow().UtcDateTime;
        shipment.Status = body.Status;
        shipment.UpdatedAt = now;
        if (body.Status == ShipmentStatus.Delivered)
            shipment.DeliveredAt ??= now;
        await db.SaveChangesAsync(ct);
        return Results.Ok(ShipmentDto.From(shipment));
    }
}
