using Npgsql;
using static Storefront.Hidden.Grader;

namespace Storefront.Hidden;

/// <summary>
/// Phase replicas: the host runs two instances of the service on the one database, as production
/// does behind its load balancer (ASSESS_SERVICE_URLS). Whatever a single process keeps to itself
/// (a lock, a set of seen ids, a dispatcher that assumes it is alone) stops holding here.
/// </summary>
public class ReplicaTests
{
    private const int Bursts = 4;
    private const int CopiesPerInstance = 10;

    // The email provider takes this long to accept the first two orders' messages: a dispatcher
    // that does not claim its rows lets the other instance pick the same row up meanwhile.
    private const int SlowProviderMs = 1500;

    private record Observed(string What, string Order, int Emails, long Fulfilments, IReadOnlyList<Delivery> Deliveries)
    {
        public List<Delivery> Failed => Deliveries.Where(d => !d.Ok).ToList();
        public bool Clean => Emails == 1 && Fulfilments == 1 && Failed.Count == 0;
    }

    [Fact]
    [Trait("Phase", "replicas")]
    public async Task DuplicatesSpreadOverTwoInstancesSendOneEmailAndOneFulfilment()
    {
        if (Instances.Count < 2)
            throw new InvalidOperationException(
                $"grader setup: phase replicas needs two instances of the service, ASSESS_SERVICE_URLS names {Instances.Count}");
        var (first, second) = (Instances[0], Instances[1]);

        var orders = new List<OrderInfo>();
        for (var slot = 20; slot < 22 + Bursts; slot++)
            orders.Add(await FreshOrderAsync(slot));
        var slow = orders.Take(2).Select(o => o.Number).ToList();
        foreach (var number in slow)
            await SlowEmailsAsync(number, SlowProviderMs);

        var runs = new List<(string What, OrderInfo Order, Delivery[] Deliveries)>();
        try
        {
            // A delivery retried on the other instance, both ways at once. They also warm both instances up.
            async Task<(string, OrderInfo, Delivery[])> RetriedOnTheOtherInstance(OrderInfo order, HttpClient from, HttpClient to, string label)
            {
                var payload = PaymentSucceeded($"evt_hidden_replica_retry_{order.Number}", order);
                Delivery[] deliveries = [await DeliverAsync(payload, from), await DeliverAsync(payload, to)];
                return ($"one delivery retried on the other instance ({label}; the email provider took {SlowProviderMs} ms to accept each email)", order, deliveries);
            }
            runs.AddRange(await Task.WhenAll(
                RetriedOnTheOtherInstance(orders[0], first, second, "first then second"),
                RetriedOnTheOtherInstance(orders[1], second, first, "second then first")));

            // Concurrent copies, half to each instance. Left alone, the copies on the two instances
            // overlap only sometimes; so, as a slow transaction elsewhere would, the grader holds the
            // order's row lock until deliveries wait behind it, then lets go. Whatever only one
            // process serialises (a lock statement, a semaphore) then races every time; a database
            // lock, unique key or conditional update holds.
            for (var burst = 0; burst < Bursts; burst++)
            {
                var order = orders[2 + burst];
                var payload = PaymentSucceeded($"evt_hidden_replica_burst_{order.Number}", order);

                await using var conn = new NpgsqlConnection(GraderDatabase);
                await conn.OpenAsync();
                await using var watch = new NpgsqlConnection(GraderDatabase);
                await watch.OpenAsync();
                await using var hold = await conn.BeginTransactionAsync();
                await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM orders WHERE number = @number FOR UPDATE", conn, hold))
                {
                    lockRow.Parameters.AddWithValue("number", order.Number);
                    await lockRow.ExecuteNonQueryAsync();
                }

                var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var copies = Enumerable.Range(0, 2 * CopiesPerInstance)
                    .Select(i => Task.Run(async () => { await go.Task; return await DeliverAsync(payload, Instances[i % 2]); }))
                    .ToArray();
                go.SetResult();
                var waiting = await WaitForLockWaitersAsync(watch, atLeast: 2, TimeSpan.FromSeconds(3));
                await hold.CommitAsync();

                runs.Add(($"burst {burst + 1} of {Bursts}: {2 * CopiesPerInstance} concurrent copies of one delivery, {CopiesPerInstance} sent to each of 2 instances " +
                          $"(the grader held the order's row lock until {waiting} of them waited for a lock, then released it)",
                    order, await Task.WhenAll(copies)));
            }

            var emails = await SettledEmailCountsAsync(orders.Select(o => o.Number).ToList(), TimeSpan.FromSeconds(15));
            var observed = new List<Observed>();
            foreach (var (what, order, deliveries) in runs)
                observed.Add(new Observed(what, order.Number, emails[order.Number], await FulfilmentCountAsync(order.Number), deliveries));

            // The bursts first: they are what this test is about (and what the template fails).
            var bad = observed.Skip(2).Concat(observed.Take(2)).FirstOrDefault(o => !o.Clean);
            if (bad is null)
                return;
            var summary = string.Join(", ", observed.Select(o => $"{o.Order}: {o.Emails}/{o.Fulfilments}"));
            Check(bad.Emails == 1 && bad.Fulfilments == 1,
                $"{bad.Emails} confirmation emails and {bad.Fulfilments} fulfilment requests for {bad.Order} after {bad.What}, both instances on one database; " +
                $"expected exactly 1 of each{Hint(bad)} (emails/fulfilments per order: {summary})");
            Check(bad.Failed.Count == 0,
                $"{bad.Failed.Count} of {bad.Deliveries.Count} deliveries for {bad.Order} answered non-2xx " +
                $"({string.Join(", ", bad.Failed.Select(f => f.ToString()).Distinct())}) after {bad.What}; expected 2xx for duplicates too");
        }
        finally
        {
            foreach (var number in slow)
                await ClearEmailFailuresAsync(number);
        }
    }

    /// <summary>
    /// How many statements wait for a lock (row, transaction or advisory), once at least atLeast do
    /// or the time is up. On a connection of its own outside any transaction: within one,
    /// pg_stat_activity keeps listing the backends it saw first and misses connections opened since.
    /// </summary>
    private static async Task<long> WaitForLockWaitersAsync(NpgsqlConnection conn, int atLeast, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", conn);
        while (true)
        {
            var waiting = (long)(await count.ExecuteScalarAsync())!;
            if (waiting >= atLeast || DateTime.UtcNow >= until)
                return waiting;
            await Task.Delay(20);
        }
    }

    private static string Hint(Observed o) =>
        o.Fulfilments == 1 && o.Emails > 1
            ? ": the order was processed once but its email went out more than once, as when both instances send the same queued email"
            : "";
}
