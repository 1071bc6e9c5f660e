namespace Orders.Hidden;

/// <summary>
/// Guard: a page reads the rows it shows, not every order that matches its filter. Loading a key account's whole
/// history (or every open order) with its lines and paging in memory costs as few statements as a query that
/// pages in SQL, or fewer, but returns hundreds or thousands of rows per request that the page then drops, and
/// its latency grows with the history. So the rows the service's statements return beyond what the page shows
/// are compared between a large and a small set of matching orders: paging in SQL reads about the same for both.
/// Passes on the template, whose problem is the number of statements.
/// </summary>
[Collection(GraderCollection.Name)]
public sealed class RowsPerRequestTests
{
    public const int PageSize = 10;
    public const int Requests = 3;

    /// <summary>
    /// Rows per request a page over many orders may read beyond what it shows, more than a page over few orders
    /// does (e.g. a separate query for the page's customers, which has more distinct customers on one page).
    /// </summary>
    public const double AllowedDifference = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Phase", "main")]
    public async Task RowsPerRequestDoNotGrowWithTheOrdersBehindThePage()
    {
        var problems = new List<string>();

        var (keyAccount, keyAccountOrders) = await ExpectedOrders.BusiestCustomerAsync(Ct);
        var (regular, regularOrders) = await ExpectedOrders.RegularCustomerAsync(Requests * PageSize, Ct);
        Assert.True(keyAccountOrders >= 10 * regularOrders,
            $"grader setup: the busiest customer ({keyAccount}) has {keyAccountOrders} orders, not ten times a regular " +
            $"customer's ({regular}: {regularOrders}); the demo data set is not the template's");
        var keyAccountPages = await MeasureAsync(p => $"/customers/{keyAccount}/orders?page={p}&pageSize={PageSize}");
        var regularPages = await MeasureAsync(p => $"/customers/{regular}/orders?page={p}&pageSize={PageSize}");
        Grader.Metric("rows_per_request_key_account", keyAccountPages.RowsPerRequest);
        Check("GET /customers/{id}/orders", $"customer {keyAccount} ({keyAccountOrders} orders)", keyAccountPages,
            $"customer {regular} ({regularOrders} orders)", regularPages, problems);

        var open = await ExpectedOrders.CountAsync("open", Ct);
        var cancelled = await ExpectedOrders.CountAsync("cancelled", Ct);
        Assert.True(open >= 3 * cancelled,
            $"grader setup: {open} open and {cancelled} cancelled orders; the demo data set is not the template's");
        var openPages = await MeasureAsync(p => $"/orders?status=open&page={p}&pageSize={PageSize}");
        var cancelledPages = await MeasureAsync(p => $"/orders?status=cancelled&page={p}&pageSize={PageSize}");
        Check("GET /orders", $"status=open ({open} orders)", openPages,
            $"status=cancelled ({cancelled} orders)", cancelledPages, problems);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task<StatementSample> MeasureAsync(Func<int, string> url) =>
        await StatementCounter.MeasureAsync(Enumerable.Range(1, Requests).Select(url).ToList(), PageSize, Ct);

    private static void Check(string endpoint, string many, StatementSample manyPages, string few, StatementSample fewPages,
        List<string> problems)
    {
        TestContext.Current.SendDiagnosticMessage(
            $"{endpoint}, pageSize={PageSize}: {many}: {Grader.Format(manyPages.RowsPerRequest)} rows/request returned for " +
            $"{Grader.Format(manyPages.ShownRowsPerRequest)} shown, {Grader.Format(manyPages.SharedBlocksPerRequest)} shared blocks; " +
            $"{few}: {Grader.Format(fewPages.RowsPerRequest)} rows/request for {Grader.Format(fewPages.ShownRowsPerRequest)} " +
            $"shown, {Grader.Format(fewPages.SharedBlocksPerRequest)} shared blocks");

        var growth = manyPages.ExtraRowsPerRequest - fewPages.ExtraRowsPerRequest;
        if (growth > AllowedDifference)
            problems.Add(
                $"{endpoint}: rows per request grew with the orders behind the page: a page of {PageSize} of {many} " +
                $"made the service's statements return {Grader.Format(manyPages.RowsPerRequest)} rows per request to show " +
                $"{Grader.Format(manyPages.ShownRowsPerRequest)} (orders + lines), a page of {PageSize} of {few} " +
                $"{Grader.Format(fewPages.RowsPerRequest)} to show {Grader.Format(fewPages.ShownRowsPerRequest)}: " +
                $"{Grader.Format(growth)} more rows read beyond what the page shows (allowed: {AllowedDifference}; " +
                $"pg_stat_statements rows over {Requests} requests each). Is the page loading every matching order and paging in memory?");
    }
}
