using System.Diagnostics;
using Npgsql;

namespace ConflictLedger.Testing;

/// <summary>
/// The PostgreSQL server for a test run: CONFLICTLEDGER_DB when set (the README's test
/// command sets it), else the private cluster that scripts/database.sh starts.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<string> connectionString = new(Resolve);

    public static string ConnectionString => connectionString.Value;

    public static NpgsqlDataSource CreateDataSource(string applicationName) =>
        new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString)
            .Build();

    /// <summary>A schema name no other test class uses.</summary>
    public static string NewSchemaName(string prefix = "t") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 50)];

    public static async Task DropSchemaAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"drop schema if exists \"{schema}\" cascade");
        await command.ExecuteNonQueryAsync();
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
