using ConflictLedger.Log;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// One bulk import of many new streams through <see cref="LogAppend.BulkStartStreamsAsync"/>
/// (Marten's COPY path, under the append lock) against a raw binary COPY of the same rows
/// into <c>raw_events</c>.
/// </summary>
internal static class BulkImportBenchmark
{
    private const int Rounds = 5;
    private const int EventsPerStream = 100;

    public static async Task<Comparison> RunAsync(NpgsqlDataSource dataSource, int events, CancellationToken ct)
    {
        await using var schema = await BenchSchema.CreateAsync(dataSource, ct);
        var copy = $"copy {schema.RawEvents} (id, stream_id, version, type, data, headers) from stdin (format binary)";
        var rows = Workload.Rows("incident-", events, EventsPerStream, seed: 1);
        var warmUp = rows.Take(Math.Min(1_000, events)).ToArray();

        await ImportAsync(schema, warmUp, ct);
        await CopyAsync(schema, copy, warmUp, ct);

        // Where the time goes: Marten's COPY path alone, on stream actions built beforehand.
        var marten = await MartenAloneAsync(schema, rows, ct);
        var raw = await CopyAsync(schema, copy, rows, ct);
        Console.Error.WriteLine($"  bulk import: Marten's BulkInsertEventsAsync alone (records built beforehand): {marten:N0} events/s, raw COPY {raw:N0}/s, ratio {marten / raw:F2}");

        return await Measure.CompareAsync($"bulk import ({events:N0} events, {(events + EventsPerStream - 1) / EventsPerStream:N0} streams)", aim: 0.7, Rounds,
            _ => ImportAsync(schema, rows, ct),
            _ => CopyAsync(schema, copy, rows, ct));
    }

    // Every round imports into empty tables, so neither side pays for the rows of the rounds before it.
    private static async Task<double> ImportAsync(BenchSchema schema, Row[] rows, CancellationToken ct)
    {
        await schema.ExecuteAsync($"truncate {schema.Events}, {schema.Streams}", ct);
        var streams = rows.GroupBy(r => r.StreamId)
            .Select(g => (g.Key, (IReadOnlyList<EventData>)g.Select(r => r.Event).ToList()))
            .ToList();
        return await Measure.RateAsync(rows.Length, async () =>
        {
            await using var import = await schema.Store.BeginAsync(ct);
            await import.BulkStartStreamsAsync(streams, ct);
            await import.CommitAsync(ct);
        });
    }

    private static async Task<double> MartenAloneAsync(BenchSchema schema, Row[] rows, CancellationToken ct)
    {
        await schema.ExecuteAsync($"truncate {schema.Events}, {schema.Streams}", ct);
        await using var session = schema.Store.Store.LightweightSession();
        var actions = rows.GroupBy(r => r.StreamId)
            .Select(g => session.Events.StartStream(g.Key, g.Select(r => Json.Deserialize<ConflictLedger.Occurrences.AccountReported>(r.Event.Data)).ToArray()))
            .ToList();
        return await Measure.RateAsync(rows.Length, () => schema.Store.Store.BulkInsertEventsAsync(actions, 5000, ct));
    }

    private static async Task<double> CopyAsync(BenchSchema schema, string copy, Row[] rows, CancellationToken ct)
    {
        await schema.ExecuteAsync($"truncate {schema.RawEvents}", ct);
        return await Measure.RateAsync(rows.Length, async () =>
        {
            await using var connection = await schema.DataSource.OpenConnectionAsync(ct);
            await using var importer = await connection.BeginBinaryImportAsync(copy, ct);
            foreach (var row in rows)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(row.Event.Id, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(row.StreamId, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(row.Version, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(row.Event.Type, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(row.Event.Data, NpgsqlDbType.Jsonb, ct);
                await importer.WriteAsync(row.Event.Metadata, NpgsqlDbType.Jsonb, ct);
            }
            await importer.CompleteAsync(ct);
        });
    }
}
