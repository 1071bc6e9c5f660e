using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Shipping.Api.Tests;

/// <summary>
/// The real service, in memory, against the PostgreSQL database named by the environment variable
/// ConnectionStrings__Shipping (see README). On an empty database it seeds a small data set
/// (20,000 shipments instead of a million) so the tests start quickly; the shape is the same.
/// </summary>
public sealed class ShippingFactory : WebApplicationFactory<Program>
{
    /// <summary>Test classes share one service (and one database): [Collection(ShippingFactory.Collection)].</summary>
    public const string Collection = "service";

    public const int SeededShipments = 20_000;

    public ShippingFactory()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ConnectionStrings__Shipping")))
            throw new InvalidOperationException(
                "Set ConnectionStrings__Shipping to a PostgreSQL database the tests may use, e.g. " +
                "\"Host=localhost;Port=5432;Database=shipping_tests;Username=shipping;Password=shipping\" with `docker compose up -d` (see README).");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Seed:Shipments", SeededShipments.ToString());
    }
}

[CollectionDefinition(ShippingFactory.Collection)]
public sealed class ServiceCollection : ICollectionFixture<ShippingFactory>;
