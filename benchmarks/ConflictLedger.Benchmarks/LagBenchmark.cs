using System.Diagnostics;
using ConflictLedger.Log;
using ConflictLedger.ReadModel;
using Npgsql;

namespace ConflictLedger.Benchmarks;

/// <summary>Median milliseconds from an append's commit until a follower has it, after each kind of disturbance.</summary>
internal sealed record Lag(string Follower, double Undisturbed, double AfterRollback, double AfterConflict, int Rounds);

/// <summary>
/// How long a follower of the log waits for an append that comes right after one that
/// failed: a transaction that appended and rolled back (its sequence number is a dead gap),
/// and an append refused with 409 (expected-version conflict, refused under the append
/// lock before any number is drawn), against an undisturbed append. Two followers:
/// Marten's async daemon running the read model, and the ledger's own
/// <see cref="LedgerLog.ReadAllAsync"/> polled as fast as it answers.
/// </summary>
internal static class LagBenchmark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private enum Disturbance { None, Rollback, Conflict }

    public static async Task<IReadOnlyList<Lag>> RunAsync(NpgsqlDataSource dataSource, int rounds, CancellationToken ct)
    {
        await using var schema = await BenchSchema.CreateAsync(dataSource, ct);
        var log = schema.Store;
        await using var daemon = new ReadModelDaemon(new ReadModelStore(log));
        await daemon.StartAsync(ct);
        var rows = Workload.Rows("lag-", 3 * rounds + 1, 1, seed: 5);
        var next = 0;

        // Warm-up: the daemon's first batch and the JIT.
        var first = await log.AppendAsync(rows[next].StreamId, ExpectedVersion.NoStream, [rows[next++].Event], ct);
        await daemon.WaitForAsync(first.Position, Timeout, ct);

        var lags = new Dictionary<(Disturbance, string), List<double>>();
        for (var round = 0; round < rounds; round++)
        {
            // Rotated, so load and the daemon's polling phase hit each kind alike.
            foreach (var kind in new[] { Disturbance.None, Disturbance.Rollback, Disturbance.Conflict }.Skip(round % 3).Concat(new[] { Disturbance.None, Disturbance.Rollback, Disturbance.Conflict }.Take(round % 3)))
            {
                await DisturbAsync(log, kind, ct);
                var row = rows[next++];
                var appended = await log.AppendAsync(row.StreamId, ExpectedVersion.NoStream, [row.Event], ct);
                var committed = Stopwatch.GetTimestamp();
                var reader = await ReaderLagAsync(log, appended.Position, committed, ct);
                await daemon.WaitForAsync(appended.Position, Timeout, ct);
                var daemonLag = Stopwatch.GetElapsedTime(committed).TotalMilliseconds;
                Add(lags, (kind, "reader"), reader);
                Add(lags, (kind, "daemon"), daemonLag);
            }
        }
        return
        [
            Of("Marten's daemon (read model)", "daemon"),
            Of("LedgerLog.ReadAllAsync (feeds, webhooks)", "reader"),
        ];

        Lag Of(string name, string key) => new(name,
            Measure.Median(lags[(Disturbance.None, key)]), Measure.Median(lags[(Disturbance.Rollback, key)]),
            Measure.Median(lags[(Disturbance.Conflict, key)]), rounds);
    }

    private static void Add(Dictionary<(Disturbance, string), List<double>> lags, (Disturbance, string) key, double ms)
    {
        if (!lags.TryGetValue(key, out var list)) lags[key] = list = [];
        list.Add(ms);
    }

    private static async Task DisturbAsync(LedgerLog log, Disturbance kind, CancellationToken ct)
    {
        var stream = "incident-lag-disturb-" + Guid.NewGuid().ToString("N")[..8];
        var e = Workload.Rows("lag-disturb-", 1, 1, seed: Random.Shared.Next()).Single().Event;
        switch (kind)
        {
            case Disturbance.Rollback:
                await using (var append = await log.BeginAsync(ct))
                    await append.AppendAsync(stream, ExpectedVersion.NoStream, [e], ct);
                break; // disposed without commit: rolled back after drawing its number
            case Disturbance.Conflict:
                try
                {
                    await log.AppendAsync(stream, ExpectedVersion.Exact(3), [e], ct);
                    throw new InvalidOperationException("The append with a wrong expected version was accepted.");
                }
                catch (ConcurrencyException)
                {
                }
                break;
        }
    }

    /// <summary>Reads the log after the event's predecessor again and again until the event is there.</summary>
    private static async Task<double> ReaderLagAsync(LedgerLog log, LogPosition position, long committed, CancellationToken ct)
    {
        var after = new LogPosition(position.Value - 1);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Timeout)
        {
            await foreach (var e in log.ReadAllAsync(after, new ReadAllOptions { Limit = 1 }, ct))
                if (e.Position == position) return Stopwatch.GetElapsedTime(committed).TotalMilliseconds;
        }
        throw new TimeoutException($"The reader did not see position {position} within {Timeout.TotalSeconds} s.");
    }
}
