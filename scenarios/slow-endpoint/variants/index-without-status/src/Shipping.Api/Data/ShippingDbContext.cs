// Shortcut (index-without-status): the search index is (carrier, created_at, id) without status.
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

            // The dashboard search: carrier, then the sort order (created_at, id). Status is left
            // out on purpose: it changes with every tracking event, and without it in the index
            // those updates stay HOT; the status filter only looks at the rows the index returns.
            e.HasIndex(s => new { s.Carrier, s.CreatedAt, s.Id })
                .IsDescending(false, true, true)
                .HasDatabaseName("ix_shipments_carrier_created_at_id");
        });
    }
}
