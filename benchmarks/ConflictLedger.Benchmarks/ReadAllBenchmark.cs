using ConflictLedger.Log;
using Npgsql;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// Reading the whole log from the start, as a new subscription or a rebuild does, through
/// <see cref="LedgerLog.ReadAllAsync"/> against one plain <c>order by seq</c>
/// query over the same table (<c>mt_events</c>), materialising the same fields into the same records.
/// </summary>
internal static class ReadAllBenchmark
{
    private const int Rounds = 5;
    private const int EventsPerStream = 100;
    private const int EventsPerImport = 1_000;

    public static async Task<Comparison> RunAsync(NpgsqlDataSource dataSource, int events, CancellationToken ct)
    {
        await using var schema = await BenchSchema.CreateAsync(dataSource, ct);
        // Many transactions, not one, as a live log is written.
        await LogImport.ImportAsync(schema.Store, Workload.Rows("bench-", events, EventsPerStream, seed: 2).Select(r => new StreamEvent(r.StreamId, r.Event)), EventsPerImport, ct);
        // Fresh rows would make the first reader set hint bits for everyone after it.
        await schema.ExecuteAsync($"vacuum analyze {schema.Events}", ct);
        var select = SelectAll(schema);

        await ReadStoreAsync(schema.Store, events, ct);
        await ReadRawAsync(dataSource, select, events, ct);

        return await Measure.CompareAsync($"read all from start ({events:N0} events)", aim: 0.7, Rounds,
            _ => Measure.RateAsync(events, () => ReadStoreAsync(schema.Store, events, ct)),
            _ => Measure.RateAsync(events, () => ReadRawAsync(dataSource, select, events, ct)));
    }

    private static async Task ReadStoreAsync(LedgerLog store, int expected, CancellationToken ct)
    {
        var count = 0;
        await foreach (var _ in store.ReadAllAsync(LogPosition.Start, ct: ct)) count++;
        Check(count, expected);
    }

    /// <summary>The raw baseline's query: the whole log, the columns the store reads, in one plain statement.</summary>
    public static string SelectAll(BenchSchema schema) =>
        $"select id, stream_id, version, seq_id, type, data::text, coalesce(headers::text, '{{}}'), timestamp from {schema.Events} order by seq_id";

    public static async Task ReadRawAsync(NpgsqlDataSource dataSource, string select, int expected, CancellationToken ct)
    {
        var count = 0;
        await using var command = dataSource.CreateCommand(select);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            _ = new RecordedEvent(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetInt64(2),
                new LogPosition(reader.GetInt64(3)),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetFieldValue<DateTimeOffset>(7));
            count++;
        }
        Check(count, expected);
    }

    // A read that stops short would look fast: count every row.
    private static void Check(int count, int expected)
    {
        if (count != expected) throw new InvalidOperationException($"Read {count} events, expected {expected}.");
    }
}
