namespace Orders.Hidden;

/// <summary>
/// The problem itself: the number of statements one page costs must not depend on how many rows it shows.
/// Every request asks for a different page, so caching a response does not change the count.
/// </summary>
[Collection(GraderCollection.Name)]
public sealed class StatementsPerRequestTests
{
    public const int SmallPage = 10;
    public const int LargePage = 200;
    public const int Requests = 3;

    /// <summary>Statements a page of 200 may cost beyond a page of 10 (e.g. one more batch of a batched load).</summary>
    public const double AllowedGrowth = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Phase", "main")]
    public async Task OrdersPage_StatementsPerRequestStayConstantAcrossPageSizes()
    {
        var small = await StatementCounter.MeasureAsync(
            Pages(p => $"/orders?status=open&page={p}&pageSize={SmallPage}"), SmallPage, Ct);
        var large = await StatementCounter.MeasureAsync(
            Pages(p => $"/orders?status=open&page={p}&pageSize={LargePage}"), LargePage, Ct);

        Grader.Metric("statements_per_request", large.StatementsPerRequest);
        Grader.Metric("statements_per_request_small_page", small.StatementsPerRequest);
        Grader.Metric("shared_blocks_per_request", large.SharedBlocksPerRequest);
        TestContext.Current.SendDiagnosticMessage(
            $"GET /orders: {Grader.Format(small.StatementsPerRequest)} statements/request at pageSize={SmallPage}, " +
            $"{Grader.Format(large.StatementsPerRequest)} at pageSize={LargePage}; " +
            $"{Grader.Format(large.SharedBlocksPerRequest)} shared blocks/request at pageSize={LargePage}");

        Assert.True(large.StatementsPerRequest - small.StatementsPerRequest <= AllowedGrowth,
            $"GET /orders: statements per request grew with page size: {Grader.Format(small.StatementsPerRequest)} " +
            $"at pageSize={SmallPage}, {Grader.Format(large.StatementsPerRequest)} at pageSize={LargePage} " +
            $"(allowed growth: {AllowedGrowth}; measured in pg_stat_statements over {Requests} requests each)");
    }

    [Fact]
    [Trait("Phase", "main")]
    public async Task CustomerOrders_StatementsPerRequestStayConstantAcrossPageSizes()
    {
        var (customerId, orders) = await ExpectedOrders.BusiestCustomerAsync(Ct);
        Assert.True(orders >= Requests * LargePage,
            $"the busiest customer ({customerId}) has only {orders} orders; the demo data set is smaller than the template's");

        var small = await StatementCounter.MeasureAsync(
            Pages(p => $"/customers/{customerId}/orders?page={p}&pageSize={SmallPage}"), SmallPage, Ct);
        var large = await StatementCounter.MeasureAsync(
            Pages(p => $"/customers/{customerId}/orders?page={p}&pageSize={LargePage}"), LargePage, Ct);

        Grader.Metric("customer_orders_statements_per_request", large.StatementsPerRequest);
        TestContext.Current.SendDiagnosticMessage(
            $"GET /customers/{customerId}/orders: {Grader.Format(small.StatementsPerRequest)} statements/request at " +
            $"pageSize={SmallPage}, {Grader.Format(large.StatementsPerRequest)} at pageSize={LargePage}");

        Assert.True(large.StatementsPerRequest - small.StatementsPerRequest <= AllowedGrowth,
            $"GET /customers/{{id}}/orders: statements per request grew with page size: " +
            $"{Grader.Format(small.StatementsPerRequest)} at pageSize={SmallPage}, " +
            $"{Grader.Format(large.StatementsPerRequest)} at pageSize={LargePage} " +
            $"(allowed growth: {AllowedGrowth}; measured in pg_stat_statements over {Requests} requests each)");
    }

    private static List<string> Pages(Func<int, string> url) =>
        Enumerable.Range(1, Requests).Select(url).ToList();
}
