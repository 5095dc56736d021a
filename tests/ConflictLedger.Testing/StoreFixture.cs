using ConflictLedger.Log;
using Npgsql;
using Xunit;

namespace ConflictLedger.Testing;

/// <summary>The ledger's log (Marten) in a schema of its own, migrated, dropped after the test class.</summary>
public class StoreFixture : IAsyncLifetime
{
    public string Schema { get; } = TestDatabase.NewSchemaName();
    public NpgsqlDataSource DataSource { get; private set; } = null!;
    public LedgerLog Store { get; private set; } = null!;

    protected virtual LogOptions CreateOptions() => new(Schema);

    public virtual async Task InitializeAsync()
    {
        DataSource = TestDatabase.CreateDataSource("test-" + Schema);
        Store = LedgerLog.Create(DataSource, CreateOptions());
        await Store.MigrateAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await TestDatabase.DropSchemaAsync(DataSource, Schema);
        await DataSource.DisposeAsync();
    }
}
