using ConflictLedger.Testing;

namespace ConflictLedger.Tests;

/// <summary>A test run leaves no schema behind: a fixture drops its own schema and the read model generations made from its name.</summary>
public sealed class TestCleanupTests
{
    [Fact]
    public async Task a_ledger_fixture_drops_its_schema_and_its_read_model_generations()
    {
        var ledger = new LedgerFixture();
        await ledger.InitializeAsync();
        await ledger.ReadModels.RebuildAsync(); // a second generation, <schema>_rm2
        var schema = ledger.Schema;
        await ledger.DisposeAsync();

        await using var dataSource = TestDatabase.CreateDataSource("cleanup-test");
        await using var command = dataSource.CreateCommand("select count(*) from pg_namespace where nspname = $1 or starts_with(nspname, $1 || '_')");
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = schema });
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }
}
