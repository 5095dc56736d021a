using System.Diagnostics;
using ConflictLedger.Log;
using ConflictLedger.Schema;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// The generations of the read model. Queries answer from the active generation; a
/// rebuild fills a new schema from position 0 while the active one keeps answering (and
/// Marten's daemon keeps it current), then swaps the pointer. The generation before is
/// kept until the next rebuild, so a query that started before the swap still finishes.
/// The read model's checkpoint is Marten's (<c>mt_event_progression</c>, row
/// <see cref="ReadModelProjection.ShardName"/>), whichever generation it feeds.
/// </summary>
public sealed class ReadModelStore(LedgerLog log, ILogger? logger = null)
{
    private const string Name = "read-model";

    private readonly ILogger logger = logger ?? NullLogger.Instance;

    public LedgerLog Store { get; } = log;

    private string Schema => Store.Options.Schema;

    /// <summary>Events per page of a rebuild's read of the log (tests make it small so pages split the accounts).</summary>
    internal int RebuildPageSize { get; init; } = 500;

    /// <summary>Runs between a rebuild's bulk pass and what it writes of the events appended meanwhile (tests append there).</summary>
    internal Func<CancellationToken, Task>? AfterBulkPass { get; init; }

    /// <summary>Creates the first generation when missing, or brings the active one up to the current scripts; returns the active generation.</summary>
    public async Task<string> EnsureAsync(CancellationToken ct = default)
    {
        await SqlScripts.MigrateAsync(Store.DataSource, Schema, typeof(ReadModelStore).Assembly, "domain", ct);
        if (await FindActiveAsync(ct) is { } active)
        {
            // A read model script added since the generation was made (the projection writes
            // to what the scripts define) is applied to it; the scripts are idempotent.
            await MigrateGenerationAsync(active, ct);
            return active;
        }
        var first = GenerationSchema(1);
        await MigrateGenerationAsync(first, ct);
        await using var insert = Store.DataSource.CreateCommand(
            $"insert into \"{Schema}\".read_model_generations (name, active) values ($1, $2) on conflict (name) do nothing");
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = first });
        await insert.ExecuteNonQueryAsync(ct);
        return (await FindActiveAsync(ct))!;
    }

    public async Task<string> ActiveSchemaAsync(CancellationToken ct = default) =>
        await FindActiveAsync(ct) ?? throw new InvalidOperationException("The read model has not been created yet: start the server (scripts/run.sh) or run scripts/run.sh import first.");

    /// <summary>The generation a daemon batch writes to, and the last committed event of the log, read inside that batch's transaction.</summary>
    internal static async Task<(string Generation, long Head)> TargetAsync(string ledgerSchema, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            select (select active from "{ledgerSchema}".read_model_generations where name = $1),
                   -- Marten's tombstones (of failed appends) are not the ledger's and may never reach the projection.
                   coalesce((select seq_id from "{ledgerSchema}".mt_events where type <> 'tombstone' order by seq_id desc limit 1), 0)
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (reader.IsDBNull(0)) throw new InvalidOperationException("The read model has no generation yet; the server creates it at start-up.");
        return (reader.GetString(0), reader.GetInt64(1));
    }

    /// <summary>The active generation and the position it reflects, in one round trip (every query asks).</summary>
    public async Task<(string Generation, LogPosition Position)> ActiveWithPositionAsync(CancellationToken ct = default)
    {
        await using var command = Store.DataSource.CreateCommand($"""
            select g.active, coalesce(p.last_seq_id, 0)
              from "{Schema}".read_model_generations g
              left join "{Schema}".mt_event_progression p on p.name = $2
             where g.name = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ReadModelProjection.ShardName });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new InvalidOperationException("The read model has not been created yet: start the server (scripts/run.sh) or run scripts/run.sh import first.");
        return (reader.GetString(0), new LogPosition(reader.GetInt64(1)));
    }

    /// <summary>The active generation and the position of the last catalog change projected: a cache of the catalog reloads when either moves.</summary>
    public async Task<(string Generation, long CatalogPosition)> CatalogRevisionAsync(CancellationToken ct = default)
    {
        await using var command = Store.DataSource.CreateCommand($"select active, catalog_position from \"{Schema}\".read_model_generations where name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new InvalidOperationException("The read model has not been created yet: start the server (scripts/run.sh) or run scripts/run.sh import first.");
        return (reader.GetString(0), reader.GetInt64(1));
    }

    /// <summary>Records, in the writing transaction, that a batch up to <paramref name="position"/> changed the catalog.</summary>
    internal static async Task MarkCatalogChangedAsync(string ledgerSchema, NpgsqlConnection connection, NpgsqlTransaction transaction, long position, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"update \"{ledgerSchema}\".read_model_generations set catalog_position = greatest(catalog_position, $2) where name = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The position the read model reflects (Start when it has projected nothing).</summary>
    public async Task<LogPosition> PositionAsync(CancellationToken ct = default)
    {
        await using var command = Store.DataSource.CreateCommand($"select last_seq_id from \"{Schema}\".mt_event_progression where name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ReadModelProjection.ShardName });
        try
        {
            return new LogPosition(await command.ExecuteScalarAsync(ct) is long position ? position : 0);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return LogPosition.Start;
        }
    }

    /// <summary>
    /// Rebuilds the read model from the start of the log into a new generation, then makes
    /// it the active one. The bulk pass (<see cref="BulkRebuild"/>) folds the log in memory
    /// and writes each row once by COPY (page by page, through the daemon's writer, when it
    /// cannot); what was appended meanwhile is written as the daemon would; the swap then
    /// joins Marten's checkpoint.
    /// </summary>
    public async Task<RebuildResult> RebuildAsync(CancellationToken ct = default)
    {
        var old = await ActiveSchemaAsync(ct);
        var generation = GenerationSchema(int.Parse(old[(old.LastIndexOf("_rm", StringComparison.Ordinal) + 3)..], System.Globalization.CultureInfo.InvariantCulture) + 1);
        await DropSchemaAsync(generation, ct);
        await MigrateGenerationAsync(generation, ct);
        var writer = new ReadModelWriter(generation, logger);
        var started = Stopwatch.StartNew();

        long cursor;
        int events;
        try
        {
            (cursor, events) = await new BulkRebuild(Store, generation, RebuildPageSize, CheckThroughMartenAsync, logger).RunAsync(ct);
        }
        catch (Exception ex) when (ex is PostgresException refused && ReadModelWriter.RefusesData(refused) || ex is BulkRebuild.NotApplicableException)
        {
            // A value PostgreSQL refuses (a place too long for an index entry, say) cannot be
            // traced to its event in one COPY or one index build: the page-by-page pass finds
            // it and sets it aside, as the daemon does. It also takes a log whose events stray
            // from their occurrences' streams.
            logger.LogWarning(ex, "The rebuild's bulk pass cannot fill {Generation}; rebuilding it page by page", generation);
            await DropSchemaAsync(generation, ct);
            await MigrateGenerationAsync(generation, ct);
            (cursor, events) = await RebuildPageByPageAsync(writer, ct);
        }
        if (AfterBulkPass is { } afterBulkPass) await afterBulkPass(ct);
        // What was appended during the bulk pass, as the daemon writes it, before the swap
        // takes the checkpoint's lock (and with it the daemon's next batch) for what is left.
        while (true)
        {
            var page = await ReadPageAsync(cursor, 5000, ct);
            if (page.Count == 0) break;
            await using var connection = await Store.DataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await ProjectAsTheDaemonAsync(writer, page, tx, ct);
            await tx.CommitAsync(ct);
            events += page.Count;
            cursor = page[^1].Sequence;
        }

        string? dropped;
        await using (var connection = await Store.DataSource.OpenConnectionAsync(ct))
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            // Holding the checkpoint row stops the daemon committing a batch meanwhile.
            var live = await LockCheckpointAsync(connection, tx, cursor, ct);
            // What the daemon projected into the old generation since the bulk pass read it.
            while (cursor < live)
            {
                var page = await ReadPageAsync(cursor, 5000, ct, upTo: live);
                if (page.Count == 0) break;
                await ProjectAsTheDaemonAsync(writer, page, tx, ct);
                events += page.Count;
                cursor = page[^1].Sequence;
            }
            await using (var swap = new NpgsqlCommand($"""
                update "{Schema}".read_model_generations p set active = $2, previous = p.active, swapped_at = now()
                  from (select previous from "{Schema}".read_model_generations where name = $1 for update) old
                 where p.name = $1
                returning old.previous
                """, connection, tx))
            {
                swap.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name });
                swap.Parameters.Add(new NpgsqlParameter<string> { TypedValue = generation });
                dropped = await swap.ExecuteScalarAsync(ct) as string;
            }
            await tx.CommitAsync(ct);
        }
        if (dropped is not null && dropped != generation) await DropSchemaAsync(dropped, ct);
        return new RebuildResult(old, generation, events, started.Elapsed);
    }

    /// <summary>
    /// The bulk pass one page at a time, each in its own transaction, indexes maintained,
    /// intervals derived once at the end: slower than <see cref="BulkRebuild"/>, but a row
    /// PostgreSQL refuses sets only its event aside (<see cref="ReadModelWriter.ApplyAsync"/>).
    /// </summary>
    private async Task<(long Cursor, int Events)> RebuildPageByPageAsync(ReadModelWriter writer, CancellationToken ct)
    {
        var events = 0;
        var cursor = 0L;
        // The next page is read (and deserialised) and checked while this one is written.
        var next = ReadCheckedPageAsync(cursor, ct);
        while (true)
        {
            var phase = Stopwatch.GetTimestamp();
            var (page, checkedPage) = await next;
            ReadModelWriter.Record("rebuild: wait for the read", phase);
            if (page.Count == 0) break;
            cursor = page[^1].Sequence;
            next = ReadCheckedPageAsync(cursor, ct);
            await using var connection = await Store.DataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var setAside = await writer.ApplyAsync(checkedPage, tx, IntervalDerivation.AtEnd, ct);
            await DeadLetterAsync(page, setAside, tx, ct);
            await tx.CommitAsync(ct);
            events += page.Count;
        }
        await writer.RecomputeAllIntervalsAsync(Store.DataSource, ct);
        return (cursor, events);
    }

    /// <summary>A page of the log written into the new generation as the daemon writes it (intervals now), its unprojectable events dead-lettered in the same transaction.</summary>
    private async Task ProjectAsTheDaemonAsync(ReadModelWriter writer, IReadOnlyList<IEvent> page, NpgsqlTransaction tx, CancellationToken ct) =>
        await DeadLetterAsync(page, await writer.ApplyAsync(await CheckedAsync(page, ct), tx, IntervalDerivation.Now, ct), tx, ct);

    /// <summary>The events after <paramref name="after"/> up to <paramref name="upTo"/> read and checked through Marten, those that fail the check dead-lettered.</summary>
    private async Task<List<ProjectedEvent>> CheckThroughMartenAsync(long after, long upTo, int count, CancellationToken ct) =>
        await CheckedAsync(await ReadPageAsync(after, count, ct, upTo), ct);

    /// <summary>
    /// Locks Marten's checkpoint row for the read model and returns where the daemon is;
    /// creates the row at <paramref name="rebuiltTo"/> when the daemon never ran, and moves
    /// it there when the daemon is behind the rebuild (so no event is projected twice).
    /// </summary>
    private async Task<long> LockCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long rebuiltTo, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"insert into \"{Schema}\".mt_event_progression (name, last_seq_id) values ($1, $2) on conflict (name) do nothing")
                {
                    Parameters = { new NpgsqlParameter<string> { TypedValue = ReadModelProjection.ShardName }, new NpgsqlParameter<long> { TypedValue = rebuiltTo } },
                },
                new NpgsqlBatchCommand($"select last_seq_id from \"{Schema}\".mt_event_progression where name = $1 for update")
                {
                    Parameters = { new NpgsqlParameter<string> { TypedValue = ReadModelProjection.ShardName } },
                },
            },
        };
        var live = (long)(await batch.ExecuteScalarAsync(ct))!;
        if (live >= rebuiltTo) return live;
        await using var forward = new NpgsqlCommand($"update \"{Schema}\".mt_event_progression set last_seq_id = $2 where name = $1", connection, tx);
        forward.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ReadModelProjection.ShardName });
        forward.Parameters.Add(new NpgsqlParameter<long> { TypedValue = rebuiltTo });
        await forward.ExecuteNonQueryAsync(ct);
        return rebuiltTo;
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageAsync(long after, int size, CancellationToken ct, long upTo = long.MaxValue)
    {
        await using var session = Store.Store.QuerySession();
        return await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.Sequence <= upTo)
            .OrderBy(e => e.Sequence)
            .Take(size)
            .ToListAsync(ct);
    }

    private async Task<(IReadOnlyList<IEvent> Page, List<ProjectedEvent> Checked)> ReadCheckedPageAsync(long after, CancellationToken ct)
    {
        var page = await ReadPageAsync(after, 5000, ct);
        var started = Stopwatch.GetTimestamp();
        var checkedPage = await CheckedAsync(page, ct);
        ReadModelWriter.Record("rebuild: check", started);
        return (page, checkedPage);
    }

    /// <summary>The page as the daemon would project it: an event that cannot be projected is dead-lettered, as the daemon does.</summary>
    private async Task<List<ProjectedEvent>> CheckedAsync(IReadOnlyList<IEvent> page, CancellationToken ct)
    {
        var batch = new List<ProjectedEvent>(page.Count);
        await using var session = Store.Store.LightweightSession();
        foreach (var e in page.Where(e => LedgerEventTypes.ByName.ContainsKey(e.EventTypeName)))
        {
            try
            {
                batch.Add(ProjectedEvent.Checked(e.Id, e.Sequence, e.Timestamp, e.EventTypeName, e.Data));
            }
            catch (Occurrences.MalformedEventException ex)
            {
                session.Store(new DeadLetterEvent(e, new ShardName(ReadModelProjection.Name), new UnprojectableEventException(e, ex)));
            }
        }
        await session.SaveChangesAsync(ct);
        return batch;
    }

    /// <summary>Dead-letters, in the writing transaction, the events of a page whose rows PostgreSQL refused (<see cref="ReadModelWriter.ApplyAsync"/>).</summary>
    private async Task DeadLetterAsync(IReadOnlyList<IEvent> page, IReadOnlyList<SetAside> setAside, NpgsqlTransaction tx, CancellationToken ct)
    {
        if (setAside.Count == 0) return;
        await using var session = Store.Store.LightweightSession(SessionOptions.ForTransaction(tx));
        foreach (var (e, reason) in setAside)
        {
            var original = page.First(x => x.Sequence == e.Position);
            session.Store(new DeadLetterEvent(original, new ShardName(ReadModelProjection.Name), new UnprojectableEventException(original, reason)));
        }
        await session.SaveChangesAsync(ct);
    }

    /// <summary>The events the read model set aside (Marten's dead letters for the projection), newest first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(int limit = 1000, CancellationToken ct = default)
    {
        await using var session = Store.Store.QuerySession();
        var letters = await session.Query<DeadLetterEvent>()
            .Where(d => d.ProjectionName == ReadModelProjection.Name)
            .OrderByDescending(d => d.EventSequence)
            .Take(limit)
            .ToListAsync(ct);
        // A rebuild sets an event aside again: one line per event.
        return letters.DistinctBy(d => d.EventSequence)
            .Select(d => new DeadLetter(d.EventSequence, d.ExceptionMessage, d.ExceptionType, d.Timestamp))
            .ToList();
    }

    /// <summary>How many events the read model has set aside.</summary>
    public async Task<long> DeadLetterCountAsync(CancellationToken ct = default)
    {
        await using var session = Store.Store.QuerySession();
        return await session.Query<DeadLetterEvent>().Where(d => d.ProjectionName == ReadModelProjection.Name).Select(d => d.EventSequence).Distinct().CountAsync(ct);
    }

    private string GenerationSchema(int n) => $"{Schema}_rm{n}";

    private Task MigrateGenerationAsync(string schema, CancellationToken ct) =>
        SqlScripts.MigrateAsync(Store.DataSource, schema, typeof(ReadModelStore).Assembly, "read-model", ct, folder: "ReadModelSchema");

    private async Task DropSchemaAsync(string schema, CancellationToken ct)
    {
        await using var drop = Store.DataSource.CreateCommand($"drop schema if exists \"{schema}\" cascade");
        await drop.ExecuteNonQueryAsync(ct);
    }

    private async Task<string?> FindActiveAsync(CancellationToken ct)
    {
        await using var command = Store.DataSource.CreateCommand($"select active from \"{Schema}\".read_model_generations where name = $1");
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
