using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// The indexes and keys of a rebuild's fresh generation, set aside while it is filled and
/// built again after: one CREATE INDEX over a filled table costs far less than keeping the
/// index up to date row by row. The read model scripts stay the one definition of the
/// schema: what is dropped and created again is read from PostgreSQL's catalog after the
/// scripts ran (<c>pg_get_indexdef</c>, <c>pg_get_constraintdef</c>), never written here.
/// </summary>
internal static class DeferredIndexes
{
    /// <summary>
    /// Drops every index and key of the given tables of <paramref name="schema"/> but those named in
    /// <paramref name="kept"/>; returns, per table, the statements that create them again.
    /// </summary>
    public static async Task<ILookup<string, string>> DropAsync(NpgsqlDataSource dataSource, string schema, string[] tables, string[] kept, CancellationToken ct)
    {
        var drops = new List<string>();
        var creates = new List<(string Table, string Create)>();
        await using (var read = dataSource.CreateCommand("""
            select t.relname, ic.relname, pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid)
              from pg_index i
              join pg_class ic on ic.oid = i.indexrelid
              join pg_class t on t.oid = i.indrelid
              join pg_namespace n on n.oid = t.relnamespace
              left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = t.oid
             where n.nspname = $1 and t.relname = any($2) and ic.relname <> all($3)
             order by t.relname, ic.relname
            """))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
            read.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = tables });
            read.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = kept });
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var table = $"\"{schema}\".\"{reader.GetString(0)}\"";
                if (reader.IsDBNull(3))
                {
                    drops.Add($"drop index \"{schema}\".\"{reader.GetString(1)}\"");
                    creates.Add((reader.GetString(0), reader.GetString(2)));
                }
                else
                {
                    drops.Add($"alter table {table} drop constraint \"{reader.GetString(3)}\"");
                    creates.Add((reader.GetString(0), $"alter table {table} add constraint \"{reader.GetString(3)}\" {reader.GetString(4)}"));
                }
            }
        }
        if (drops.Count > 0)
        {
            await using var drop = dataSource.CreateCommand(string.Join(";\n", drops));
            await drop.ExecuteNonQueryAsync(ct);
        }
        return creates.ToLookup(c => c.Table, c => c.Create, StringComparer.Ordinal);
    }

    /// <summary>
    /// Runs the statements, two at a time on connections of their own (builds of indexes on
    /// one table do not block each other), then has the tables analysed (<see cref="AnalyzeAsync"/>).
    /// </summary>
    public static async Task CreateAsync(NpgsqlDataSource dataSource, string schema, IEnumerable<IGrouping<string, string>> tables, CancellationToken ct)
    {
        var built = tables.ToList();
        var queue = new Queue<string>(built.SelectMany(t => t));
        async Task Worker()
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            // Sorting a million keys in the default 64 MB spills to disk.
            await using (var memory = new NpgsqlCommand("set maintenance_work_mem = '256MB'", connection))
                await memory.ExecuteNonQueryAsync(ct);
            while (true)
            {
                string next;
                lock (queue)
                {
                    if (!queue.TryDequeue(out next!)) return;
                }
                await using var create = new NpgsqlCommand(next, connection);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
        await Task.WhenAll(Worker(), Worker());
        await AnalyzeAsync(dataSource, schema, built.Select(t => t.Key).ToArray(), ct);
    }

    /// <summary>Has the tables analysed: the generation is queried as soon as it is swapped in, and the planner should know their sizes by then.</summary>
    public static async Task AnalyzeAsync(NpgsqlDataSource dataSource, string schema, string[] tables, CancellationToken ct)
    {
        if (tables.Length == 0) return;
        await using var stats = dataSource.CreateCommand($"analyze {string.Join(", ", tables.Select(t => $"\"{schema}\".\"{t}\""))}");
        await stats.ExecuteNonQueryAsync(ct);
    }
}
