using ConflictLedger.Log;
using Npgsql;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// A throwaway schema for one benchmark: the log's tables (Marten's <c>mt_events</c> and
/// <c>mt_streams</c> and the ledger's own), migrated the log's own way, and
/// <c>raw_events</c>, a plain copy of <c>mt_events</c> (same columns, constraints and
/// indexes, numbered by a sequence of its own) for the raw baseline, so both sides pay for
/// the same indexes. Schemas named after it (<c>{name}_rm1</c>, the read model's
/// generations) go with it.
/// </summary>
internal sealed class BenchSchema : IAsyncDisposable
{
    private BenchSchema(NpgsqlDataSource dataSource, string name, Func<LogOptions, LogOptions>? options)
    {
        DataSource = dataSource;
        Name = name;
        var log = new LogOptions(name);
        Store = LedgerLog.Create(dataSource, options?.Invoke(log) ?? log);
    }

    public NpgsqlDataSource DataSource { get; }
    public string Name { get; }
    public LedgerLog Store { get; }
    public string Events => $"\"{Name}\".mt_events";
    public string Streams => $"\"{Name}\".mt_streams";
    public string RawEvents => $"\"{Name}\".raw_events";

    public static async Task<BenchSchema> CreateAsync(
        NpgsqlDataSource dataSource, CancellationToken ct, string prefix = "bench_", Func<LogOptions, LogOptions>? options = null)
    {
        var schema = new BenchSchema(dataSource, prefix + Guid.NewGuid().ToString("N")[..12], options);
        try
        {
            await schema.Store.MigrateAsync(ct);
            await schema.ExecuteAsync($"""
                create table {schema.RawEvents} (like {schema.Events} including all);
                create sequence "{schema.Name}".raw_events_seq;
                alter table {schema.RawEvents} alter column seq_id set default nextval('"{schema.Name}".raw_events_seq'),
                                               alter column timestamp set default now()
                """, ct);
            return schema;
        }
        catch
        {
            await schema.DisposeAsync();
            throw;
        }
    }

    public async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    // Not cancellable on purpose: a cancelled run still drops its schemas.
    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        var schemas = new List<string>();
        await using (var list = DataSource.CreateCommand("select nspname from pg_namespace where nspname = $1 or starts_with(nspname, $1 || '_')"))
        {
            list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
            await using var reader = await list.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None)) schemas.Add(reader.GetString(0));
        }
        foreach (var schema in schemas)
            await ExecuteAsync($"drop schema if exists \"{schema}\" cascade", CancellationToken.None);
    }
}
