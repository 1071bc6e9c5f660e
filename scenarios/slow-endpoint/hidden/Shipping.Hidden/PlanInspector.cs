using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Shipping.Hidden;

/// <summary>
/// Re-runs a statement the service issued under EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), as the
/// grader. The statement's text comes from pg_stat_activity (constants intact) when a backend of the
/// service ran it last, else from pg_stat_statements (constants normalised to $n). Parameters are
/// bound with the values of the request the grader made: the statement is PREPAREd, each $n gets
/// candidates by its inferred type and place (LIMIT, OFFSET), and the binding that returns the
/// most rows is the one explained (a wrong binding, e.g. status and carrier swapped, returns none).
/// </summary>
public static partial class PlanInspector
{
    /// <summary>Values the request carried, to bind parameters with.</summary>
    public sealed record Hints(IReadOnlyList<string> Texts, IReadOnlyList<DateTime> Timestamps, IReadOnlyList<long> Integers, int PageSize);

    public sealed record PlanNode(string Type, string? Relation, string? Index, double ActualRows, double RowsRemovedByFilter);

    public sealed record Explained(string Sql, string Source, string Binding, IReadOnlyList<PlanNode> Nodes, double RowsReturned, long Buffers)
    {
        public string Summary => string.Join(" -> ", Nodes.Select(n =>
            n.Type + (n.Relation is null ? "" : $" on {n.Relation}") + (n.Index is null ? "" : $" using {n.Index}")
            + $" ({n.ActualRows:0} rows" + (n.RowsRemovedByFilter > 0 ? $", {n.RowsRemovedByFilter:0} removed by filter" : "") + ")"));
    }

    public static bool IsQueryOn(string sql, string table) =>
        Regex.IsMatch(sql.TrimStart(), @"^(SELECT|WITH)\b", RegexOptions.IgnoreCase)
        && Regex.IsMatch(sql, $@"\b{table}\b", RegexOptions.IgnoreCase);

    /// <summary>The statement's text with its constants, when still visible in pg_stat_activity.</summary>
    public static async Task<(string Sql, string Source)> ConcreteSqlAsync(NpgsqlConnection db, Grader.StatementStats statement)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT query, pg_size_bytes(current_setting('track_activity_query_size'))::int
            FROM pg_stat_activity
            WHERE usename = @role AND query_id = @id
            ORDER BY query_start DESC
            LIMIT 1
            """, db);
        cmd.Parameters.AddWithValue("role", Grader.Role);
        cmd.Parameters.AddWithValue("id", statement.QueryId);
        await using var reader = await cmd.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            var text = reader.GetString(0);
            var max = reader.GetInt32(1);
            if (Encoding.UTF8.GetByteCount(text) < max - 1)
                return (text, "pg_stat_activity");
        }
        return (statement.Query, "pg_stat_statements");
    }

    public static async Task<Explained> ExplainAsync(NpgsqlConnection db, string sql, string source, Hints hints)
    {
        const string name = "grader_search_statement";
        try
        {
            await Execute(db, $"PREPARE {name} AS {sql.TrimEnd().TrimEnd(';')}");
        }
        catch (PostgresException e)
        {
            throw new InvalidOperationException($"grader: could not PREPARE the service's statement ({e.MessageText}); SQL ({source}): {sql}", e);
        }

        try
        {
            var types = await ParameterTypesAsync(db, name);
            var candidates = types.Select((type, i) => Candidates(sql, i + 1, type, hints)).ToList();
            var bindings = Bindings(candidates).Take(256).ToList();

            List<string>? best = null;
            var bestRows = -1.0;
            if (bindings.Count == 1)
            {
                best = bindings[0];
            }
            else
            {
                foreach (var binding in bindings)
                {
                    var plan = await ExplainJson(db, $"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({string.Join(", ", binding)})");
                    var rows = plan.GetProperty("Actual Rows").GetDouble();
                    if (rows > bestRows)
                    {
                        (best, bestRows) = (binding, rows);
                    }
                    if (rows >= hints.PageSize) break;
                }
            }

            var args = best!.Count == 0 ? "" : $"({string.Join(", ", best)})";
            var top = await ExplainJson(db, $"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE {name}{args}");
            var nodes = new List<PlanNode>();
            Collect(top, nodes);
            var buffers = top.GetProperty("Shared Hit Blocks").GetInt64() + top.GetProperty("Shared Read Blocks").GetInt64();
            return new Explained(sql, source, args, nodes, top.GetProperty("Actual Rows").GetDouble(), buffers);
        }
        finally
        {
            await Execute(db, $"DEALLOCATE {name}");
        }
    }

    private static async Task<List<string>> ParameterTypesAsync(NpgsqlConnection db, string name)
    {
        await using var cmd = new NpgsqlCommand("SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = @name", db);
        cmd.Parameters.AddWithValue("name", name);
        return ((string[])(await cmd.ExecuteScalarAsync())!).ToList();
    }

    private static List<string> Candidates(string sql, int n, string type, Hints hints)
    {
        string Quote(string v) => "'" + v.Replace("'", "''") + "'";
        var place = new Regex($@"\b(LIMIT|OFFSET|FETCH\s+(FIRST|NEXT))\s*\(?\s*\${n}(?!\d)", RegexOptions.IgnoreCase).Match(sql);
        switch (type)
        {
            case "text" or "character varying" or "character" or "unknown" or "name" or "citext":
                return hints.Texts.Select(t => $"{Quote(t)}::{type}").ToList();
            case "timestamp with time zone" or "timestamp without time zone" or "date":
                return hints.Timestamps
                    .Concat([new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2999, 1, 1, 0, 0, 0, DateTimeKind.Utc)])
                    .Select(t => $"{Quote(t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))}::{type}").ToList();
            case "bigint" or "integer" or "smallint" or "numeric":
                if (place.Success && place.Groups[1].Value.Equals("OFFSET", StringComparison.OrdinalIgnoreCase))
                    return [$"0::{type}"];
                if (place.Success)
                    return [$"{hints.PageSize + 1}::{type}", $"{hints.PageSize}::{type}"];
                return hints.Integers.Concat([hints.PageSize + 1, hints.PageSize, 0]).Select(i => $"{i}::{type}").ToList();
            case "boolean":
                return ["true", "false"];
            default:
                throw new InvalidOperationException($"grader: cannot bind parameter ${n} of type {type} in the service's statement: {sql}");
        }
    }

    private static IEnumerable<List<string>> Bindings(List<List<string>> candidates, int index = 0)
    {
        if (index == candidates.Count)
        {
            yield return [];
            yield break;
        }
        foreach (var value in candidates[index])
            foreach (var rest in Bindings(candidates, index + 1))
                yield return [value, .. rest];
    }

    private static async Task<JsonElement> ExplainJson(NpgsqlConnection db, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        var json = (string)(await cmd.ExecuteScalarAsync())!;
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("Plan").Clone();
    }

    private static void Collect(JsonElement node, List<PlanNode> into)
    {
        into.Add(new PlanNode(
            node.GetProperty("Node Type").GetString()!,
            node.TryGetProperty("Relation Name", out var r) ? r.GetString() : null,
            node.TryGetProperty("Index Name", out var i) ? i.GetString() : null,
            node.TryGetProperty("Actual Rows", out var a) ? a.GetDouble() : 0,
            node.TryGetProperty("Rows Removed by Filter", out var f) ? f.GetDouble() : 0));
        if (node.TryGetProperty("Plans", out var children))
            foreach (var child in children.EnumerateArray())
                Collect(child, into);
    }

    private static async Task Execute(NpgsqlConnection db, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, db);
        await cmd.ExecuteNonQueryAsync();
    }
}
