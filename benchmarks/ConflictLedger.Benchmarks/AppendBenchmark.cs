using ConflictLedger.Log;
using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// Single-event appends through <see cref="LedgerLog.AppendAsync"/>, one after another,
/// against single-row INSERTs of the same rows into <c>raw_events</c> on one open
/// connection: what the append lock, the version and re-send check, Marten's stream row
/// and the per-call pooled connection cost a writer per event. The two sides alternate
/// append by append (<see cref="Measure.CompareInterleavedAsync"/>).
/// </summary>
internal static class AppendBenchmark
{
    private const int Rounds = 5;
    private const int EventsPerStream = 10;

    public static async Task<Comparison> RunAsync(NpgsqlDataSource dataSource, int appends, CancellationToken ct)
    {
        await using var schema = await BenchSchema.CreateAsync(dataSource, ct);
        await using var raw = await dataSource.OpenConnectionAsync(ct);
        var insert = $"insert into {schema.RawEvents} (id, stream_id, version, type, data, headers) values ($1, $2, $3, $4, $5, $6)";

        // Each round writes new streams: reusing them would change the store's work (and
        // collide on the raw table's unique (stream_id, version)).
        var perRound = Math.Max(1, appends / Rounds);
        var rows = Enumerable.Range(0, Rounds + 1)
            .Select(round => Workload.Rows($"round{round}-", round == 0 ? 200 : perRound, EventsPerStream, seed: round))
            .ToArray();

        // Round 0 is a warm-up for the JIT, the pool and the server's plan caches.
        await AppendAsync(schema.Store, rows[0], ct);
        await InsertAsync(raw, insert, rows[0], ct);

        // Where the time goes: database round trips per append (one for the raw INSERT).
        using (var commands = new DatabaseCommands())
        {
            await AppendAsync(schema.Store, rows[0].Select(r => r with { StreamId = r.StreamId + "-count", Event = r.Event with { Id = Guid.NewGuid() } }).Take(100).ToArray(), ct);
            Console.Error.WriteLine($"  single-event appends: {commands.Count / 100.0:F1} database commands per append as Npgsql counts them (raw INSERT: 1)");
        }
        // And this process's processor time per append: what a writer's own machine pays.
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        await AppendAsync(schema.Store, rows[0].Select(r => r with { StreamId = r.StreamId + "-cpu", Event = r.Event with { Id = Guid.NewGuid() } }).ToArray(), ct);
        var appendCpu = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / rows[0].Length;
        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        await InsertAsync(raw, insert, rows[0].Select(r => r with { StreamId = r.StreamId + "-cpu", Event = r.Event with { Id = Guid.NewGuid() } }).ToArray(), ct);
        var insertCpu = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / rows[0].Length;
        Console.Error.WriteLine($"  single-event appends: {appendCpu:F0} µs of this process's processor time per append (raw INSERT: {insertCpu:F0} µs)");

        return await Measure.CompareInterleavedAsync("single-event appends", aim: 0.5, Rounds, perRound,
            (round, i) => AppendAsync(schema.Store, rows[round + 1][i..(i + 1)], ct),
            (round, i) => InsertAsync(raw, insert, rows[round + 1][i..(i + 1)], ct));
    }

    private static async Task AppendAsync(LedgerLog store, Row[] rows, CancellationToken ct)
    {
        foreach (var row in rows)
            await store.AppendAsync(row.StreamId, ExpectedVersion.Any, [row.Event], ct);
    }

    private static async Task InsertAsync(NpgsqlConnection connection, string insert, Row[] rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            await using var command = new NpgsqlCommand(insert, connection);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = row.Event.Id });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.StreamId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Version });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Event.Type });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Event.Data, NpgsqlDbType = NpgsqlDbType.Jsonb });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Event.Metadata, NpgsqlDbType = NpgsqlDbType.Jsonb });
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
