using ConflictLedger.EventStore;
using ConflictLedger.EventStore.Subscriptions;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// The generations of the read model. Queries answer from the active generation; a
/// rebuild fills a new schema from position 0 while the active one keeps answering,
/// then swaps the pointer. The generation before is kept until the next rebuild, so a
/// query that started before the swap still finishes.
/// </summary>
public sealed class ReadModelStore(EventStore.EventStore store)
{
    private const string Name = "read-model";

    public EventStore.EventStore Store { get; } = store;

    public static string CheckpointName(string generationSchema) => "read-model:" + generationSchema;

    /// <summary>Creates the domain tables and the first generation when missing; returns the active generation.</summary>
    public async Task<string> EnsureAsync(CancellationToken ct = default)
    {
        await SchemaMigrator.MigrateAsync(Store.DataSource, Store.Options.Schema, typeof(ReadModelStore).Assembly, "domain", ct);
        if (await FindActiveAsync(ct) is { } active) return active;
        var first = GenerationSchema(1);
        await MigrateGenerationAsync(first, ct);
        await using var insert = Store.DataSource.CreateCommand(
            $"insert into \"{Store.Options.Schema}\".read_model_generations (name, active) values ($1, $2) on conflict (name) do nothing");
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = first });
        await insert.ExecuteNonQueryAsync(ct);
        return (await FindActiveAsync(ct))!;
    }

    public async Task<string> ActiveSchemaAsync(CancellationToken ct = default) =>
        await FindActiveAsync(ct) ?? throw new InvalidOperationException("The read model has not been created yet: start the server or run the import first.");

    /// <summary>The active generation and the position it reflects, in one round trip (every query asks).</summary>
    public async Task<(string Generation, LogPosition Position)> ActiveWithPositionAsync(CancellationToken ct = default)
    {
        await using var command = Store.DataSource.CreateCommand($"""
            select g.active, c.tx_id, c.seq
              from "{Store.Options.Schema}".read_model_generations g
              left join "{Store.Options.Schema}".checkpoints c on c.name = 'read-model:' || g.active
             where g.name = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new InvalidOperationException("The read model has not been created yet: start the server or run the import first.");
        return (reader.GetString(0), reader.IsDBNull(1) ? LogPosition.Start : new LogPosition(reader.GetFieldValue<ulong>(1), reader.GetInt64(2)));
    }

    /// <summary>The position the active generation reflects (Start when it has projected nothing).</summary>
    public async Task<LogPosition> PositionAsync(string generationSchema, CancellationToken ct = default) =>
        await Store.Checkpoints.ReadAsync(CheckpointName(generationSchema), ct) ?? LogPosition.Start;

    /// <summary>Rebuilds the read model from the start of the log into a new generation, then makes it the active one.</summary>
    public async Task<RebuildResult> RebuildAsync(CancellationToken ct = default)
    {
        var old = await ActiveSchemaAsync(ct);
        var generation = GenerationSchema(int.Parse(old[(old.LastIndexOf("_rm", StringComparison.Ordinal) + 3)..], System.Globalization.CultureInfo.InvariantCulture) + 1);
        await DropSchemaAsync(generation, ct);
        await MigrateGenerationAsync(generation, ct);
        var projection = new ReadModelProjection(generation);
        var started = System.Diagnostics.Stopwatch.StartNew();

        // Bulk pass: claims and documents only, intervals once at the end.
        var bulk = new SubscriptionRunner(Store, null, CheckpointName(generation),
            (batch, tx, token) => projection.ApplyAsync(batch, tx, deferIntervals: true, token),
            new SubscriptionOptions { BatchSize = 5000 });
        var events = await bulk.CatchUpAsync(ct);
        await projection.RecomputeAllIntervalsAsync(Store.DataSource, ct);
        // Whatever arrived during the bulk pass is projected the ordinary way.
        var tail = new SubscriptionRunner(Store, null, CheckpointName(generation),
            (batch, tx, token) => projection.ApplyAsync(batch, tx, deferIntervals: false, token));
        events += await tail.CatchUpAsync(ct);

        string? dropped;
        await using (var swap = Store.DataSource.CreateCommand($"""
            update "{Store.Options.Schema}".read_model_generations p set active = $2, previous = p.active, swapped_at = now()
              from (select previous from "{Store.Options.Schema}".read_model_generations where name = $1 for update) old
             where p.name = $1
            returning old.previous
            """))
        {
            swap.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
            swap.Parameters.Add(new NpgsqlParameter<string> { TypedValue = generation });
            dropped = await swap.ExecuteScalarAsync(ct) as string;
        }
        if (dropped is not null && dropped != generation) await DropSchemaAsync(dropped, ct);
        return new RebuildResult(old, generation, events, started.Elapsed);
    }

    private string GenerationSchema(int n) => $"{Store.Options.Schema}_rm{n}";

    private Task MigrateGenerationAsync(string schema, CancellationToken ct) =>
        SchemaMigrator.MigrateAsync(Store.DataSource, schema, typeof(ReadModelStore).Assembly, "read-model", ct, folder: "ReadModelSchema");

    private async Task DropSchemaAsync(string schema, CancellationToken ct)
    {
        await using var drop = Store.DataSource.CreateCommand($"drop schema if exists \"{schema}\" cascade");
        await drop.ExecuteNonQueryAsync(ct);
        await Store.Checkpoints.DeleteAsync(CheckpointName(schema), ct);
    }

    private async Task<string?> FindActiveAsync(CancellationToken ct)
    {
        await using var command = Store.DataSource.CreateCommand($"select active from \"{Store.Options.Schema}\".read_model_generations where name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        try
        {
            return await command.ExecuteScalarAsync(ct) as string;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }
}

public sealed record RebuildResult(string From, string To, int Events, TimeSpan Elapsed);
