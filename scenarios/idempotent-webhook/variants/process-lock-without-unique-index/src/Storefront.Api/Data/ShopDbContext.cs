using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Storefront.Api.Data;

public class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<FulfilmentRequest> FulfilmentRequests => Set<FulfilmentRequest>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Customer>(e =>
        {
            e.ToTable("customers");
            e.Property(x => x.Email).HasMaxLength(320);
            e.Property(x => x.FullName).HasMaxLength(200);
            e.HasIndex(x => x.Email).IsUnique();
        });

        b.Entity<Order>(e =>
        {
            e.ToTable("orders");
            e.Property(x => x.Number).HasMaxLength(20);
            e.HasIndex(x => x.Number).IsUnique();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.Currency).HasMaxLength(3).IsFixedLength();
            e.Property(x => x.PaymentReference).HasMaxLength(64);
            e.HasIndex(x => new { x.CustomerId, x.CreatedAt });
            e.HasMany(x => x.Lines).WithOne().HasForeignKey(l => l.OrderId);
        });

        b.Entity<OrderLine>(e =>
        {
            e.ToTable("order_lines");
            e.Property(x => x.Sku).HasMaxLength(32);
            e.Property(x => x.Description).HasMaxLength(200);
        });

        b.Entity<FulfilmentRequest>(e =>
        {
            e.ToTable("fulfilment_requests");
            e.Property(x => x.Status).HasMaxLength(32);
            e.HasIndex(x => x.OrderId);
        });

        b.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.Property(x => x.Kind).HasMaxLength(64);
            e.Property(x => x.Recipient).HasMaxLength(320);
            e.Property(x => x.Subject).HasMaxLength(300);
            e.Property(x => x.LastError).HasMaxLength(2000);
            // The dispatcher's query: unsent messages that are due, oldest first.
            e.HasIndex(x => new { x.NextAttemptAt, x.Id }).HasFilter("sent_at IS NULL");
            e.HasIndex(x => x.OrderId);
        });

        UseSnakeCaseColumns(b);
    }

    private static void UseSnakeCaseColumns(ModelBuilder b)
    {
        foreach (var entity in b.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(ToSnakeCase(key.GetName()!));
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName(ToSnakeCase(fk.GetConstraintName()!));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName()!));
        }
    }

    private static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && !char.IsUpper(name[i - 1])) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
