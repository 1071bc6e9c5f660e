using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assessments.Web.Data.Configurations;

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries", t =>
            t.HasCheckConstraint("ck_webhook_deliveries_delivery_id", "length(delivery_id) > 0"));
        builder.Property(w => w.Provider).HasMaxLength(32);
        builder.Property(w => w.DeliveryId).HasMaxLength(128);
        builder.Property(w => w.Event).HasMaxLength(64);
        builder.HasIndex(w => new { w.Provider, w.DeliveryId }).IsUnique();
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.Property(o => o.Kind).HasMaxLength(64);
        builder.Property(o => o.Payload).HasColumnType("jsonb");
        // The dispatcher only ever looks at what is still pending.
        builder.HasIndex(o => o.Id).HasFilter("dispatched_at IS NULL").HasDatabaseName("ix_outbox_messages_pending");
    }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.Property(a => a.Actor).HasMaxLength(200);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.SubjectType).HasMaxLength(64);
        builder.Property(a => a.SubjectId).HasMaxLength(128);
        builder.Property(a => a.Data).HasColumnType("jsonb");
        builder.HasIndex(a => new { a.OrganisationId, a.At });
        builder.HasIndex(a => new { a.SubjectType, a.SubjectId });
    }
}

internal sealed class WorkerProbeConfiguration : IEntityTypeConfiguration<WorkerProbe>
{
    public void Configure(EntityTypeBuilder<WorkerProbe> builder)
    {
        builder.ToTable("worker_probes");
        builder.Property(p => p.Queue).HasMaxLength(64);
        builder.Property(p => p.RequestedByHost).HasMaxLength(255);
        builder.Property(p => p.CompletedByHost).HasMaxLength(255);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> builder)
    {
        builder.ToTable("data_protection_keys");
    }
}

internal sealed class OperationCountConfiguration : IEntityTypeConfiguration<OperationCount>
{
    public void Configure(EntityTypeBuilder<OperationCount> builder)
    {
        builder.ToTable("operation_counts");
        builder.HasKey(c => new { c.Minute, c.Name, c.Label });
        builder.Property(c => c.Name).HasMaxLength(64);
        builder.Property(c => c.Label).HasMaxLength(64);
    }
}

internal sealed class OperationGaugeConfiguration : IEntityTypeConfiguration<OperationGauge>
{
    public void Configure(EntityTypeBuilder<OperationGauge> builder)
    {
        builder.ToTable("operation_gauges");
        builder.HasKey(g => new { g.Minute, g.Name });
        builder.Property(g => g.Name).HasMaxLength(64);
    }
}
