using Npgsql;

namespace Orders.Hidden;

/// <param name="Rows">Rows the service's statements returned (pg_stat_statements.rows), summed over the requests.</param>
/// <param name="ShownRows">Rows the responses showed: their orders plus those orders' lines, summed over the requests.</param>
public sealed record StatementSample(int Requests, long Statements, long SharedBlocks, long Rows, long ShownRows)
{
    public double StatementsPerRequest => (double)Statements / Requests;
    public double SharedBlocksPerRequest => (double)SharedBlocks / Requests;
    public double RowsPerRequest => (double)Rows / Requests;
    public double ShownRowsPerRequest => (double)ShownRows / Requests;

    /// <summary>
    /// Rows returned beyond what the page shows: a COUNT, an existence check, a separate query's customers. Below
    /// zero when one joined row carries both an order and one of its lines.
    /// </summary>
    public double ExtraRowsPerRequest => RowsPerRequest - ShownRowsPerRequest;
}

/// <summary>
/// Counts what the service's database role executes, from pg_stat_statements: every statement the service
/// sends (queries, and utility statements such as DISCARD ALL on pooled connections), in its own database only,
/// with the shared buffers they touched and the rows they returned.
/// </summary>
public static class StatementCounter
{
    public static async Task ResetAsync(CancellationToken ct)
    {
        await using var cmd = Grader.Database.CreateCommand("""
            SELECT pg_stat_statements_reset(r.oid, d.oid, 0)
            FROM pg_roles r, pg_database d
            WHERE r.rolname = $1 AND d.datname = current_database()
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = Grader.ServiceRole });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<(long Statements, long SharedBlocks, long Rows)> ReadAsync(CancellationToken ct)
    {
        await using var cmd = Grader.Database.CreateCommand("""
            SELECT coalesce(sum(s.calls), 0)::bigint,
                   coalesce(sum(s.shared_blks_hit + s.shared_blks_read), 0)::bigint,
                   coalesce(sum(s.rows), 0)::bigint
            FROM pg_stat_statements s
            JOIN pg_roles r ON r.oid = s.userid
            JOIN pg_database d ON d.oid = s.dbid
            WHERE r.rolname = $1 AND d.datname = current_database()
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = Grader.ServiceRole });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>
    /// Sends each request once (after one unmeasured warm-up of the first), checks it succeeded with
    /// <paramref name="expectedItems"/> items, and returns what the service's role executed meanwhile.
    /// </summary>
    public static async Task<StatementSample> MeasureAsync(IReadOnlyList<string> urls, int expectedItems, CancellationToken ct)
    {
        await Api.GetPageAsync(urls[0], ct);

        await ResetAsync(ct);
        long shown = 0;
        foreach (var url in urls)
        {
            var page = await Api.GetPageAsync(url, ct);
            var items = page.GetProperty("items");
            var count = items.GetArrayLength();
            Assert.True(count == expectedItems,
                $"GET {url} returned {count} orders, expected a full page of {expectedItems}: cannot measure statements per request");
            shown += count + items.EnumerateArray().Sum(o => o.GetProperty("lines").GetArrayLength());
        }
        var (statements, blocks, rows) = await ReadAsync(ct);
        return new StatementSample(urls.Count, statements, blocks, rows, shown);
    }
}
