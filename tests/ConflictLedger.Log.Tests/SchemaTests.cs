using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.EventStore.Tests;

public sealed class SchemaTests : IAsyncLifetime
{
    private readonly NpgsqlDataSource dataSource = TestDatabase.CreateDataSource("schema-tests");
    private readonly List<string> schemas = [];

    private EventStore NewStore()
    {
        var schema = TestDatabase.NewSchemaName("m");
        schemas.Add(schema);
        return new EventStore(dataSource, new LogOptions(schema));
    }

    [Fact]
    public async Task scripts_are_applied_once_and_recorded()
    {
        var store = NewStore();
        Assert.False(await store.IsMigratedAsync());

        var first = await store.MigrateAsync();
        var second = await store.MigrateAsync();

        Assert.Equal(["001_events.sql", "002_checkpoints.sql"], first);
        Assert.Empty(second);
        Assert.True(await store.IsMigratedAsync());
    }

    [Fact]
    public async Task processes_starting_at_once_do_not_race_on_the_schema()
    {
        var store = NewStore();
        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => store.MigrateAsync())));
        Assert.Equal(1, runs.Count(r => r.Count > 0));
        Assert.Equal(1, (await store.AppendAsync("s", ExpectedVersion.NoStream, [TestEvents.New()])).NextExpectedVersion);
    }

    [Fact]
    public async Task each_schema_holds_its_own_log()
    {
        var a = NewStore();
        var b = NewStore();
        await a.MigrateAsync();
        await b.MigrateAsync();
        await a.AppendAsync("same-name", ExpectedVersion.NoStream, [TestEvents.New()]);
        Assert.Equal(0, await b.StreamVersionAsync("same-name"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var schema in schemas) await TestDatabase.DropSchemaAsync(dataSource, schema);
        await dataSource.DisposeAsync();
    }
}
