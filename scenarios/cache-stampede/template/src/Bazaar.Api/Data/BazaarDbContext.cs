using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Bazaar.Api.Data;

public sealed class BazaarDbContext(DbContextOptions<BazaarDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Listing> Listings => Set<Listing>();
    public DbSet<Review> Reviews => Set<Review>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(u =>
        {
            u.ToTable("users");
            u.Property(x => x.Handle).HasMaxLength(40);
            u.Property(x => x.DisplayName).HasMaxLength(100);
            u.Property(x => x.City).HasMaxLength(80);
            u.Property(x => x.BanReason).HasMaxLength(400);
            u.HasIndex(x => x.Handle).IsUnique();
        });

        model.Entity<Listing>(l =>
        {
            l.ToTable("listings");
            l.Property(x => x.Title).HasMaxLength(200);
            l.Property(x => x.Status).HasMaxLength(20);
            l.HasIndex(x => new { x.SellerId, x.Status });
            l.HasOne<User>().WithMany().HasForeignKey(x => x.SellerId);
        });

        model.Entity<Review>(r =>
        {
            r.ToTable("reviews");
            r.Property(x => x.Comment).HasMaxLength(2000);
            r.HasIndex(x => x.SellerId);
            r.HasOne<User>().WithMany().HasForeignKey(x => x.SellerId);
            r.HasOne<User>().WithMany().HasForeignKey(x => x.ReviewerId).OnDelete(DeleteBehavior.Restrict);
        });

        // snake_case columns, so the data team's SQL reads naturally.
        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }
}
