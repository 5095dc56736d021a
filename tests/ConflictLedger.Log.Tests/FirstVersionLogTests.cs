using ConflictLedger.Testing;
using Npgsql;

namespace ConflictLedger.Log.Tests;

/// <summary>A database written by the first version (its own events table) is carried into Marten when the schema is migrated.</summary>
public sealed class FirstVersionLogTests : IAsyncLifetime
{
    private readonly string schema = TestDatabase.NewSchemaName("v1");
    private readonly NpgsqlDataSource dataSource = TestDatabase.CreateDataSource("test-v1");

    [Fact]
    public async Task the_first_versions_log_is_carried_over_with_its_ids_versions_data_and_recorded_times()
    {
        var recorded = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var first = TestEvents.Many(2);
        var second = TestEvents.New();
        await using (var create = dataSource.CreateCommand($"""
            create schema "{schema}";
            create table "{schema}".streams (id text primary key, version bigint not null);
            create table "{schema}".events (seq bigint generated always as identity primary key, tx_id xid8 not null default pg_current_xact_id(),
              id uuid not null unique, stream_id text not null, version bigint not null, type text not null, data jsonb not null,
              metadata jsonb not null, recorded_at timestamptz not null default now());
            create table "{schema}".checkpoints (name text primary key, tx_id xid8 not null default '0', seq bigint not null default 0);
            insert into "{schema}".checkpoints (name, seq) values ('webhook:abc', 2);
            """))
            await create.ExecuteNonQueryAsync();
        List<(string Stream, int Version, EventData Event)> rows = [.. first.Select((e, i) => ("incident-a", i + 1, e)), ("incident-b", 1, second)];
        foreach (var (stream, version, e) in rows)
        {
            await using var insert = dataSource.CreateCommand($"insert into \"{schema}\".events (id, stream_id, version, type, data, metadata, recorded_at) values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)");
            insert.Parameters.AddWithValue(e.Id);
            insert.Parameters.AddWithValue(stream);
            insert.Parameters.AddWithValue((long)version);
            insert.Parameters.AddWithValue(e.Type);
            insert.Parameters.AddWithValue(e.Data);
            insert.Parameters.AddWithValue(e.Metadata);
            insert.Parameters.AddWithValue(recorded);
            await insert.ExecuteNonQueryAsync();
        }

        var log = LedgerLog.Create(dataSource, new LogOptions(schema));
        await log.MigrateAsync();
        await log.MigrateAsync();

        var read = await log.ReadAllAsync(LogPosition.Start).ToListAsync();
        Assert.Equal(rows.Select(r => r.Event.Id), read.Select(e => e.Id));
        Assert.Equal(rows.Select(r => (long)r.Version), read.Select(e => e.Version));
        Assert.All(read, e => Assert.Equal(recorded, e.RecordedAt));
        Assert.Contains("\"source\": \"test\"", read[0].Metadata, StringComparison.Ordinal);
        Assert.Equal(2, await log.StreamVersionAsync("incident-a"));
        // The webhook goes on from the head of the carried log, not from its old position.
        Assert.Equal(await log.HeadAsync(), await log.Checkpoints.LoadAsync("webhook:abc"));
        // And the log goes on.
        Assert.Equal(3, (await log.AppendAsync("incident-a", ExpectedVersion.Exact(2), [TestEvents.New()])).NextExpectedVersion);
        await log.DisposeAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await TestDatabase.DropSchemaAsync(dataSource, schema);
        await dataSource.DisposeAsync();
    }
}
