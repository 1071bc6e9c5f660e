using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Orders.Api.Data;

public class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : DbContext(options)
{
    public const string OrderNumberSequence = "order_number_seq";

    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasSequence<long>(OrderNumberSequence);

        b.Entity<Customer>(e =>
        {
            e.Property(c => c.Name).HasMaxLength(200).IsRequired();
            e.Property(c => c.Country).HasMaxLength(2).IsRequired();
            e.Property(c => c.CreatedAt).HasDefaultValueSql("now()");
        });

        b.Entity<Product>(e =>
        {
            e.Property(p => p.Sku).HasMaxLength(32).IsRequired();
            e.HasIndex(p => p.Sku).IsUnique();
            e.Property(p => p.Name).HasMaxLength(200).IsRequired();
            e.Property(p => p.UnitPrice).HasPrecision(10, 2);
        });

        b.Entity<Order>(e =>
        {
            e.Property(o => o.Number).HasMaxLength(32)
                .HasDefaultValueSql($"'SO-' || lpad(nextval('{OrderNumberSequence}')::text, 6, '0')");
            e.HasIndex(o => o.Number).IsUnique();
            e.Property(o => o.Status).HasMaxLength(16).IsRequired();
            e.HasIndex(o => new { o.Status, o.PlacedAt });
            e.HasIndex(o => new { o.CustomerId, o.PlacedAt });
            e.HasOne(o => o.Customer).WithMany(c => c.Orders).HasForeignKey(o => o.CustomerId);
        });

        b.Entity<OrderLine>(e =>
        {
            e.Property(l => l.UnitPrice).HasPrecision(10, 2);
            e.HasIndex(l => new { l.OrderId, l.LineNo }).IsUnique();
            e.HasOne(l => l.Order).WithMany(o => o.Lines).HasForeignKey(l => l.OrderId);
            e.HasOne(l => l.Product).WithMany().HasForeignKey(l => l.ProductId);
        });

        // The reporting team queries these tables directly: snake_case names, as in the rest of our databases.
        foreach (var entity in b.Model.GetEntityTypes())
        {
            entity.SetTableName(ToSnakeCase(entity.ClrType.Name) + "s");
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
        }
    }

    private static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var ch = name[i];
            if (char.IsUpper(ch) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }
}
