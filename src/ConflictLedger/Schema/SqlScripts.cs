using System.Reflection;
using Npgsql;

namespace ConflictLedger.Schema;

/// <summary>
/// The ledger's own tables (the read model generations, webhooks, API keys...; Marten
/// manages its own): applies the ordered, embedded <c>{folder}/*.sql</c> scripts of an assembly that have not
/// run yet, all in one transaction under an advisory lock: two processes starting at
/// once queue up instead of racing, and a failing script leaves nothing behind.
/// </summary>
public static class SqlScripts
{
    public static async Task<IReadOnlyList<string>> MigrateAsync(
        NpgsqlDataSource dataSource, string schema, Assembly scriptsAssembly, string module, CancellationToken ct, string folder = "Schema")
    {
        var marker = "." + folder + ".";
        var scripts = Scripts(scriptsAssembly, folder);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Execute(connection, tx, "select pg_advisory_xact_lock(hashtext('conflictledger-migrations:' || @schema))", ct, ("schema", schema));
        await Execute(connection, tx, $"""
            create schema if not exists "{schema}";
            create table if not exists "{schema}".migrations (
              module text not null, script text not null, applied_at timestamptz not null default now(),
              primary key (module, script))
            """, ct);

        var applied = new HashSet<string>();
        await using (var read = new NpgsqlCommand($"select script from \"{schema}\".migrations where module = @module", connection, tx))
        {
            read.Parameters.AddWithValue("module", module);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));
        }

        var ran = new List<string>();
        foreach (var resource in scripts)
        {
            var name = resource[(resource.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
            if (applied.Contains(name)) continue;
            await using var stream = scriptsAssembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            var sql = (await text.ReadToEndAsync(ct))
                .Replace("{schema_name}", schema, StringComparison.Ordinal)
                .Replace("{schema}", $"\"{schema}\"", StringComparison.Ordinal);
            await Execute(connection, tx, sql, ct);
            await Execute(connection, tx, $"insert into \"{schema}\".migrations (module, script) values (@module, @script)", ct,
                ("module", module), ("script", name));
            ran.Add(name);
        }
        await tx.CommitAsync(ct);
        return ran;
    }

    /// <summary>True when every script of the assembly has been applied to the schema.</summary>
    public static async Task<bool> IsCurrentAsync(
        NpgsqlDataSource dataSource, string schema, Assembly scriptsAssembly, string module, CancellationToken ct, string folder = "Schema")
    {
        var expected = Scripts(scriptsAssembly, folder).Count;
        await using var command = dataSource.CreateCommand($"select count(*)::int from \"{schema}\".migrations where module = $1");
        command.Parameters.AddWithValue(module);
        try
        {
            return (int)(await command.ExecuteScalarAsync(ct))! >= expected;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return false;
        }
    }

    private static List<string> Scripts(Assembly assembly, string folder) => assembly.GetManifestResourceNames()
        .Where(n => n.Contains("." + folder + ".", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(ct);
    }
}
