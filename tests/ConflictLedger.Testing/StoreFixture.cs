using ConflictLedger.EventStore;
using Npgsql;
using Xunit;

namespace ConflictLedger.Testing;

/// <summary>An event store in a schema of its own, migrated, dropped after the test class.</summary>
public class StoreFixture : IAsyncLifetime
{
    public string Schema { get; } = TestDatabase.NewSchemaName();
    public NpgsqlDataSource DataSource { get; private set; } = null!;
    public EventStore.EventStore Store { get; private set; } = null!;

    protected virtual EventStoreOptions CreateOptions() => new(Schema);

    public virtual async Task InitializeAsync()
    {
        DataSource = TestDatabase.CreateDataSource("test-" + Schema);
        Store = new EventStore.EventStore(DataSource, CreateOptions());
        await Store.MigrateAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await TestDatabase.DropSchemaAsync(DataSource, Schema);
        await DataSource.DisposeAsync();
    }
}
