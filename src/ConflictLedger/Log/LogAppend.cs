using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Services;
using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.Log;

/// <summary>
/// One transaction of appends, possibly to several streams, committed together. Two things
/// Marten does not do are done here, on Marten's own tables:
/// <list type="bullet">
/// <item>Sequence numbers are drawn in commit order: the first append of a transaction
/// takes one advisory lock that is held until commit or rollback. Readers of the whole log
/// can then read by sequence number alone and never miss an event that commits late, and a
/// refused append (409, re-send) draws no number at all, so it leaves no gap for Marten's
/// daemon to wait on. The price: appends commit one at a time.</item>
/// <item>A re-sent append (the same event ids) writes nothing and returns the first
/// result; Marten alone would raise a unique violation (its index is kept as a backstop).</item>
/// </list>
/// Expected versions are checked here too, under that lock, and passed on to Marten.
/// </summary>
public sealed class LogAppend : IAsyncDisposable
{
    private readonly LedgerLog log;
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private bool locked;

    /// <summary>What this transaction has written: the COPY path commits on its own, so it may not share a transaction with appends.</summary>
    private Written written;

    private enum Written { Nothing, Appends, Bulk }

    private LogAppend(LedgerLog log, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        this.log = log;
        this.connection = connection;
        this.transaction = transaction;
    }

    internal static async Task<LogAppend> BeginAsync(LedgerLog log, CancellationToken ct)
    {
        var connection = await log.DataSource.OpenConnectionAsync(ct);
        try
        {
            return new LogAppend(log, connection, await connection.BeginTransactionAsync(ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        Writes(Written.Appends);
        return AppendAsync(log, connection, transaction, streamId, expected, events, ct);
    }

    /// <summary>
    /// One append to one stream through the schema's <c>ledger_append</c> (script
    /// 004_append_function.sql): the lock, the re-send and version checks and Marten's own
    /// append function in one round trip. Without a transaction the call commits by itself.
    /// </summary>
    internal static async Task<AppendResult> AppendAsync(
        LedgerLog log, NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct)
    {
        AppendValidation.CheckStreamId(streamId);
        AppendValidation.CheckEvents(events, log.Options.MaxEventBytes);
        var rows = events.Select((e, i) => StoredEvent.From(e, i, log.Store.Options.Serializer())).ToArray();

        await using var command = new NpgsqlCommand(log.Sql.Append, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.Value });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = rows.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Type).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.DotNetType).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Body).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.CausationId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.CorrelationId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.Headers).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });

        // Prepared: Npgsql keeps a prepared statement with the pooled connection and then
        // resets it without DISCARD ALL, so the server keeps the plans of both plpgsql
        // functions instead of planning every statement of them again on each append.
        await command.PrepareAsync(ct);
        string outcome;
        long version;
        long? seq;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            outcome = reader.GetString(0);
            version = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            seq = reader.IsDBNull(2) ? null : reader.GetInt64(2);
        }
        return outcome switch
        {
            "appended" => new AppendResult(version, new LogPosition(seq!.Value), AlreadyAppended: false),
            "replayed" => new AppendResult(version, new LogPosition(seq!.Value), AlreadyAppended: true),
            "conflict" => throw new ConcurrencyException(streamId, expected, version),
            "duplicate-ids" => throw await DuplicateIdsAsync(log, connection, transaction, events, ct),
            _ => throw new InvalidOperationException($"ledger_append answered '{outcome}', which this version does not know."),
        };
    }

    /// <summary>
    /// Imports new streams through Marten's COPY path. Marten runs it in a transaction of
    /// its own, so it runs while this transaction holds the append lock (the numbers it
    /// draws stay in commit order) and must be the only write of this transaction. Every
    /// stream must be new: a re-import goes through <see cref="AppendAsync"/>, which knows replays.
    /// </summary>
    public async Task<AppendResult> BulkStartStreamsAsync(
        IReadOnlyList<(string StreamId, IReadOnlyList<EventData> Events)> streams, CancellationToken ct = default)
    {
        var actions = new List<StreamAction>();
        var ids = new HashSet<Guid>();
        var index = 0;
        foreach (var (streamId, events) in streams)
        {
            AppendValidation.CheckStreamId(streamId);
            if (events.Count == 0) throw new InvalidAppendException($"Stream '{streamId}' has no events: send at least one.");
            foreach (var e in events) AppendValidation.CheckEvent(e, index++, log.Options.MaxEventBytes, ids);
        }
        Writes(Written.Bulk);
        var now = await LockAsync(ct);
        await using (var command = new NpgsqlCommand(log.Sql.ExistingStreams, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = streams.Select(s => s.StreamId).ToArray() });
            if (await command.ExecuteScalarAsync(ct) is string existing)
                throw new StreamsExistException($"Stream '{existing}' already exists: the bulk path starts new streams only. Nothing was imported.");
        }
        index = 0;
        // A session only to build Marten's stream actions; it is never saved.
        await using var builder = log.Store.LightweightSession();
        foreach (var (streamId, events) in streams)
        {
            var action = builder.Events.StartStream(streamId, events.Select(e => AppendValidation.ToRecord(e, index++)).ToArray());
            for (var i = 0; i < events.Count; i++)
            {
                Stamp(action.Events[i], events[i]);
                // COPY takes the client's clock; the knowledge clock is the server's.
                action.Events[i].Timestamp = events[i].RecordedAt ?? now;
            }
            actions.Add(action);
        }
        await log.Store.BulkInsertEventsAsync(actions, 5000, ct);
        return new AppendResult(actions[^1].Events.Count, new LogPosition(actions.Max(a => a.Events.Max(e => e.Sequence))), AlreadyAppended: false);
    }

    public Task CommitAsync(CancellationToken ct = default) => transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    /// <summary>
    /// Refuses to mix the COPY path with appends in one transaction: the COPY commits in a
    /// transaction of Marten's own, so appends beside it could roll back while it stays.
    /// </summary>
    private void Writes(Written kind)
    {
        if (written != Written.Nothing && written != kind || kind == Written.Bulk && written == Written.Bulk)
            throw new InvalidOperationException("The bulk path must be the only write of its transaction: begin another for the appends (or the next bulk import).");
        written = kind;
    }

    /// <summary>Takes the append lock (once per transaction) and queues the wake-up for followers; returns the server's clock.</summary>
    private async Task<DateTimeOffset> LockAsync(CancellationToken ct)
    {
        await using var batch = LockedBatch(new NpgsqlBatchCommand("select now()"));
        await using var reader = await ExecuteLockedAsync(batch, ct);
        await reader.ReadAsync(ct);
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    /// <summary>The commands in one batch, preceded the first time by the append lock and the NOTIFY for followers.</summary>
    private NpgsqlBatch LockedBatch(params NpgsqlBatchCommand[] commands)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        if (!locked)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(log.Sql.AppendLock));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(log.Sql.Notify));
        }
        foreach (var command in commands) batch.BatchCommands.Add(command);
        return batch;
    }

    /// <summary>Runs a <see cref="LockedBatch"/> in one round trip; the reader starts at the first of the caller's results.</summary>
    private async Task<NpgsqlDataReader> ExecuteLockedAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var reader = await batch.ExecuteReaderAsync(ct);
        if (!locked)
        {
            await reader.NextResultAsync(ct);
            await reader.NextResultAsync(ct);
            locked = true;
        }
        return reader;
    }

    /// <summary>Names the ids that belong to another append (a refused append reads them once more to say so).</summary>
    private static async Task<DuplicateEventIdException> DuplicateIdsAsync(
        LedgerLog log, NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<EventData> events, CancellationToken ct)
    {
        var earlier = new List<string>();
        await using var command = new NpgsqlCommand(log.Sql.EventsWithIds, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = events.Select(e => e.Id).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) earlier.Add($"{reader.GetGuid(0)} in '{reader.GetString(1)}' at version {reader.GetInt64(2)}");
        return new DuplicateEventIdException(
            $"{earlier.Count} of the append's {events.Count} event ids were appended before, in another append " +
            $"({string.Join(", ", earlier)}). Nothing was appended: send the whole original append to retry it, or new ids for new events.");
    }

    /// <summary>Gives Marten's event our id, our stable type name and our metadata (as headers, with correlation and causation ids in Marten's columns).</summary>
    private static void Stamp(IEvent stored, EventData e)
    {
        stored.Id = e.Id;
        stored.EventTypeName = e.Type;
        using var metadata = JsonDocument.Parse(e.Metadata);
        foreach (var property in metadata.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null) continue;
            if (property.NameEquals("correlationId")) stored.CorrelationId = property.Value.ToString();
            else if (property.NameEquals("causationId")) stored.CausationId = property.Value.ToString();
            stored.SetHeader(property.Name, property.Value.Clone());
        }
    }
}
