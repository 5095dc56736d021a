using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Log.Tests;

public sealed class SchemaTests : IAsyncLifetime
{
    private readonly NpgsqlDataSource dataSource = TestDatabase.CreateDataSource("schema-tests");
    private readonly List<(string Schema, LedgerLog Log)> logs = [];

    private LedgerLog NewLog()
    {
        var schema = TestDatabase.NewSchemaName("m");
        var log = LedgerLog.Create(dataSource, new LogOptions(schema));
        logs.Add((schema, log));
        return log;
    }

    [Fact]
    public async Task migrating_twice_changes_nothing_and_keeps_the_log()
    {
        var log = NewLog();
        Assert.False(await log.IsMigratedAsync());
        await log.MigrateAsync();
        var appended = await log.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [TestEvents.New()]);

        await log.MigrateAsync();

        Assert.True(await log.IsMigratedAsync());
        Assert.Equal(appended.Position, await log.HeadAsync());
    }

    [Fact]
    public async Task processes_starting_at_once_do_not_race_on_the_schema()
    {
        var log = NewLog();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => log.MigrateAsync())));
        Assert.Equal(1, (await log.AppendAsync("incident-s", ExpectedVersion.NoStream, [TestEvents.New()])).NextExpectedVersion);
    }

    [Fact]
    public async Task each_schema_holds_its_own_log()
    {
        var a = NewLog();
        var b = NewLog();
        await a.MigrateAsync();
        await b.MigrateAsync();
        await a.AppendAsync("incident-same-name", ExpectedVersion.NoStream, [TestEvents.New()]);
        Assert.Equal(0, await b.StreamVersionAsync("incident-same-name"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (schema, log) in logs)
        {
            await log.DisposeAsync();
            await TestDatabase.DropSchemaAsync(dataSource, schema);
        }
        await dataSource.DisposeAsync();
    }
}
