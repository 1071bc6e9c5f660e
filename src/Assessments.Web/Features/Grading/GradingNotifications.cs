using System.Collections.Concurrent;
using Npgsql;

namespace Assessments.Web.Features.Grading;

/// <summary>The web process's half of live progress: one connection that <c>LISTEN</c>s on
/// <see cref="StageRecorder.Channel"/> and wakes the pages following a grading when its worker,
/// wherever it runs, writes a stage. A wake-up only says "look again": followers read the rows,
/// so a notification lost while the connection was down costs a delay, not a stage. After a
/// reconnect every follower is woken, since anything may have happened in between.</summary>
public sealed class GradingNotifications(NpgsqlDataSource dataSource, ILogger<GradingNotifications> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Follower, byte>> _followers = new();

    /// <summary>Follows <paramref name="gradingRunId"/> until disposed.</summary>
    public Follower Follow(Guid gradingRunId)
    {
        var follower = new Follower(this, gradingRunId);
        _followers.GetOrAdd(gradingRunId, _ => new()).TryAdd(follower, 0);
        return follower;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var id))
                    {
                        Wake(id);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {StageRecorder.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                delay = TimeSpan.FromSeconds(1);
                WakeAll();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Listening for grading progress failed; live pages fall back to polling until it reconnects in {Delay}", delay);
                WakeAll();
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }

    private void Wake(Guid gradingRunId)
    {
        if (_followers.TryGetValue(gradingRunId, out var followers))
        {
            foreach (var follower in followers.Keys)
            {
                follower.Wake();
            }
        }
    }

    private void WakeAll()
    {
        foreach (var followers in _followers.Values)
        {
            foreach (var follower in followers.Keys)
            {
                follower.Wake();
            }
        }
    }

    private void Remove(Follower follower)
    {
        if (_followers.TryGetValue(follower.GradingRunId, out var followers))
        {
            followers.TryRemove(follower, out _);
            if (followers.IsEmpty)
            {
                _followers.TryRemove(KeyValuePair.Create(follower.GradingRunId, followers));
            }
        }
    }

    /// <summary>One page following one grading.</summary>
    public sealed class Follower(GradingNotifications notifications, Guid gradingRunId) : IDisposable
    {
        private readonly SemaphoreSlim _signal = new(0, 1);

        public Guid GradingRunId => gradingRunId;

        /// <summary>Waits until something may have changed (true), or <paramref name="timeout"/>
        /// passes (false; the caller then looks anyway: the poll behind the nudge).</summary>
        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
            _signal.WaitAsync(timeout, cancellationToken);

        internal void Wake()
        {
            try
            {
                _signal.Release();
            }
            catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
            {
                // Already awake: one pending wake-up covers any number of changes.
            }
        }

        public void Dispose()
        {
            notifications.Remove(this);
            _signal.Dispose();
        }
    }
}
