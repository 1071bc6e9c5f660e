using Microsoft.EntityFrameworkCore;

namespace Shipping.Api.Data;

public class ShippingDbContext(DbContextOptions<ShippingDbContext> options) : DbContext(options)
{
    public DbSet<Shipment> Shipments => Set<Shipment>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Shipment>(e =>
        {
            e.ToTable("shipments");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasColumnName("id").UseIdentityByDefaultColumn();
            e.Property(s => s.TrackingNumber).HasColumnName("tracking_number").HasMaxLength(20).IsRequired();
            e.Property(s => s.MerchantId).HasColumnName("merchant_id");
            e.Property(s => s.MerchantReference).HasColumnName("merchant_reference").HasMaxLength(40).IsRequired();
            e.Property(s => s.Carrier).HasColumnName("carrier").HasMaxLength(16).IsRequired();
            e.Property(s => s.ServiceLevel).HasColumnName("service_level").HasMaxLength(16).IsRequired();
            e.Property(s => s.Status).HasColumnName("status").HasMaxLength(24).IsRequired();
            e.Property(s => s.OriginCountry).HasColumnName("origin_country").HasMaxLength(2).IsRequired();
            e.Property(s => s.DestinationCountry).HasColumnName("destination_country").HasMaxLength(2).IsRequired();
            e.Property(s => s.DestinationPostcode).HasColumnName("destination_postcode").HasMaxLength(10).IsRequired();
            e.Property(s => s.WeightGrams).HasColumnName("weight_grams");
            e.Property(s => s.CreatedAt).HasColumnName("created_at");
            e.Property(s => s.UpdatedAt).HasColumnName("updated_at");
            e.Property(s => s.DeliveredAt).HasColumnName("delivered_at");

            e.HasIndex(s => s.TrackingNumber).IsUnique().HasDatabaseName("ix_shipments_tracking_number");
            e.HasIndex(s => s.MerchantId).HasDatabaseName("ix_shipments_merchant_id");

            // The dashboard search: equality on carrier and status, then the sort order
            // (created_at, id) in the index itself, so a page is a short range scan that stops
            // after pageSize + 1 rows, whether it starts at the top or at a cursor deep down.
            e.HasIndex(s => new { s.Carrier, s.Status, s.CreatedAt, s.Id })
                .IsDescending(false, false, true, true)
                .HasDatabaseName("ix_shipments_carrier_status_created_at_id");
        });
    }
}
