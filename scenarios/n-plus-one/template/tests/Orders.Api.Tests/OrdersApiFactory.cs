using Microsoft.AspNetCore.Mvc.Testing;

namespace Orders.Api.Tests;

/// <summary>
/// Runs the real service in memory against a real PostgreSQL: the one named by the environment variable
/// ConnectionStrings__Orders, or the docker-compose database of the README when it is not set.
/// Migrations and the demo data are applied at start, as in production.
/// </summary>
public sealed class OrdersApiFactory : WebApplicationFactory<Program>
{
    public const string LocalDatabase = "Host=localhost;Port=5433;Database=orders;Username=orders;Password=orders";

    public OrdersApiFactory()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ConnectionStrings__Orders")))
            Environment.SetEnvironmentVariable("ConnectionStrings__Orders", LocalDatabase);
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<OrdersApiFactory>
{
    public const string Name = "Orders API";
}
