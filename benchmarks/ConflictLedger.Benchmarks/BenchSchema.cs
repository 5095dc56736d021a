using ConflictLedger.Log;
using Npgsql;

namespace ConflictLedger.Benchmarks;

/// <summary>
/// A throwaway schema for one benchmark: the store's tables, migrated the store's own way,
/// and <c>raw_events</c>, a plain copy of the events table (same columns, defaults,
/// constraints and indexes) for the raw baseline, so both sides pay for the same indexes.
/// Schemas named after it (<c>{name}_rm1</c>, the read model's generations) go with it.
/// </summary>
internal sealed class BenchSchema : IAsyncDisposable
{
    private BenchSchema(NpgsqlDataSource dataSource, string name)
    {
        DataSource = dataSource;
        Name = name;
        Store = LedgerLog.Create(dataSource, new LogOptions(name));
    }

    public NpgsqlDataSource DataSource { get; }
    public string Name { get; }
    public LedgerLog Store { get; }
    public string Events => $"\"{Name}\".events";
    public string Streams => $"\"{Name}\".streams";
    public string RawEvents => $"\"{Name}\".raw_events";

    public static async Task<BenchSchema> CreateAsync(NpgsqlDataSource dataSource, CancellationToken ct, string prefix = "bench_")
    {
        var schema = new BenchSchema(dataSource, prefix + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            await schema.Store.MigrateAsync(ct);
            await schema.ExecuteAsync($"create table {schema.RawEvents} (like {schema.Events} including all)", ct);
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
        await command.ExecuteNonQueryAsync(ct);
    }

    // Not cancellable on purpose: a cancelled run still drops its schemas.
    public async ValueTask DisposeAsync()
    {
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
