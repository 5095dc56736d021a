using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace ConflictLedger.Testing;

/// <summary>
/// The PostgreSQL server for a test run: CONFLICTLEDGER_DB when set (the README's test
/// command sets it), else the private cluster that scripts/database.sh starts. Every
/// schema named here is dropped, with the schemas made from its name (read model
/// generations "<c>name_rm1</c>"...), by the fixture that made it and, for any a failed
/// fixture left, when the test process exits: a run leaves nothing behind.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<string> connectionString = new(Resolve);
    private static readonly ConcurrentDictionary<string, bool> named = new(StringComparer.Ordinal);

    static TestDatabase() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DropAllNamed();

    public static string ConnectionString => connectionString.Value;

    public static NpgsqlDataSource CreateDataSource(string applicationName) =>
        new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString)
            .Build();

    /// <summary>A schema name no other test class uses.</summary>
    public static string NewSchemaName(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 50)];
        named[name] = true;
        return name;
    }

    /// <summary>Drops the schema and every schema whose name extends it (<c>schema_rm1</c>, ...).</summary>
    public static async Task DropSchemaAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var name in await SchemasOfAsync(connection, [schema]))
        {
            await using var drop = new NpgsqlCommand($"drop schema if exists \"{name}\" cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The schemas that exist among <paramref name="names"/> and their extensions, longest first (generations before their base).</summary>
    private static async Task<List<string>> SchemasOfAsync(NpgsqlConnection connection, string[] names)
    {
        await using var find = new NpgsqlCommand("""
            select nspname from pg_namespace n
             where exists (select 1 from unnest($1::text[]) s(name) where n.nspname = s.name or starts_with(n.nspname, s.name || '_'))
             order by length(nspname) desc
            """, connection);
        find.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
        var found = new List<string>();
        await using var reader = await find.ExecuteReaderAsync();
        while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        return found;
    }

    private static void DropAllNamed()
    {
        if (named.IsEmpty || !connectionString.IsValueCreated) return;
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "test-cleanup", Pooling = false }.ConnectionString);
            connection.Open();
            foreach (var name in SchemasOfAsync(connection, [.. named.Keys]).GetAwaiter().GetResult())
            {
                using var drop = new NpgsqlCommand($"drop schema if exists \"{name}\" cascade", connection);
                drop.ExecuteNonQuery();
            }
        }
        catch (NpgsqlException)
        {
            // The server is gone (a test stopped its own cluster): nothing is left on it to drop.
        }
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ConflictLedger.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ConflictLedger.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Resolve()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("CONFLICTLEDGER_DB");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;

        var start = new ProcessStartInfo("bash", ["-c", "source scripts/database.sh >&2 && printf %s \"$CONFLICTLEDGER_DB\""])
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || output.Length == 0)
            throw new InvalidOperationException("Could not start the test database (scripts/database.sh): " + errors);
        return output;
    }
}
