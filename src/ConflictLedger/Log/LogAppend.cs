using Marten;
using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.Log;

/// <summary>
/// One transaction of appends, possibly to several streams, committed together. Two things
/// Marten does not do are done here, on Marten's own tables (the append itself is the
/// schema's <c>ledger_append</c>, which calls Marten's own append function; see
/// 004_append_function.sql):
/// <list type="bullet">
/// <item>Sequence numbers are drawn in commit order: the first append of a transaction
/// takes one advisory lock that is held until commit or rollback. Readers of the whole log
/// can then read by sequence number alone and never miss an event that commits late, and a
/// refused append (409, re-send) draws no number at all, so it leaves no gap for Marten's
/// daemon to wait on. The price: appends commit one at a time.</item>
/// <item>A re-sent append (the same event ids) writes nothing and returns the first
/// result; Marten alone would raise a unique violation (its index is kept as a backstop).</item>
/// </list>
/// Expected versions are checked under that lock too.
/// </summary>
public sealed class LogAppend : IAsyncDisposable
{
    private readonly LedgerLog log;
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;

    private LogAppend(LedgerLog log, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        this.log = log;
        this.connection = connection;
        this.transaction = transaction;
    }

    internal static async Task<LogAppend> BeginAsync(LedgerLog log, CancellationToken ct)
    {
        var connection = await log.AppendSource.OpenConnectionAsync(ct);
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

    /// <summary>Appends to one stream in this transaction; it commits with the rest of it.</summary>
    public Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default) =>
        AppendAsync(log, connection, transaction, streamId, expected, events, ct);

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
        var serializer = log.Store.Options.Serializer();
        var rows = events.Select((e, i) => StoredEvent.From(e, i, serializer)).ToArray();

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
    /// Imports new streams by binary COPY into Marten's tables, in this transaction and
    /// under the append lock: all of it commits with the rest of the transaction or none
    /// of it does. Every stream must be new: a re-import goes through <see cref="AppendAsync"/>,
    /// which knows replays.
    /// Written here rather than through Marten's <c>BulkInsertEventsAsync</c>, which commits
    /// in a transaction of its own (so an import could not be all-or-nothing with the
    /// appends beside it) and measured 0.32-0.49 of a raw COPY of the same rows (README).
    /// </summary>
    public async Task<AppendResult> BulkStartStreamsAsync(
        IReadOnlyList<(string StreamId, IReadOnlyList<EventData> Events)> streams, CancellationToken ct = default)
    {
        var ids = new HashSet<Guid>();
        var count = 0;
        foreach (var (streamId, events) in streams)
        {
            AppendValidation.CheckStreamId(streamId);
            if (events.Count == 0) throw new InvalidAppendException($"Stream '{streamId}' has no events: send at least one.");
            foreach (var e in events) AppendValidation.CheckEvent(e, count++, log.Options.MaxEventBytes, ids);
        }
        var serializer = log.Store.Options.Serializer();

        var now = await LockAsync(ct);
        await using (var command = new NpgsqlCommand(log.Sql.ExistingStreams, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = streams.Select(s => s.StreamId).ToArray() });
            if (await command.ExecuteScalarAsync(ct) is string existing)
                throw new StreamsExistException($"Stream '{existing}' already exists: the bulk path starts new streams only. Nothing was imported.");
        }
        // The append lock is held, so no one else draws numbers: one contiguous block, in one round trip.
        long last;
        await using (var reserve = new NpgsqlCommand(log.Sql.ReserveSequence, connection, transaction))
        {
            reserve.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
            last = (long)(await reserve.ExecuteScalarAsync(ct))!;
        }

        await using (var copy = await BinaryCopy.BeginAsync(connection, log.Sql.CopyStreams, ct))
        {
            foreach (var (streamId, events) in streams)
            {
                copy.StartRow(3);
                copy.Text(streamId);
                copy.Int64(events.Count);
                copy.TimestampTz(now);
            }
            await copy.CompleteAsync(ct);
        }
        var seq = last - count;
        var index = 0;
        await using (var copy = await BinaryCopy.BeginAsync(connection, log.Sql.CopyEvents, ct))
        {
            for (var s = 0; s < streams.Count; s++)
            {
                for (var i = 0; i < streams[s].Events.Count; i++)
                {
                    // Made while the server takes the rows before: the two overlap. Data that does
                    // not fit its type throws here, the COPY is cancelled and the transaction with it.
                    var row = StoredEvent.From(streams[s].Events[i], index++, serializer);
                    copy.StartRow(11);
                    copy.Int64(++seq);
                    copy.Uuid(row.Id);
                    copy.Text(streams[s].StreamId);
                    copy.Int64(i + 1L);
                    copy.Jsonb(row.Body);
                    copy.Text(row.Type);
                    // The knowledge clock is the server's: this transaction's start, as for appends.
                    copy.TimestampTz(streams[s].Events[i].RecordedAt ?? now);
                    copy.Text(row.DotNetType);
                    copy.TextOrNull(row.CorrelationId);
                    copy.TextOrNull(row.CausationId);
                    copy.JsonbOrNull(row.Headers);
                }
            }
            try
            {
                await copy.CompleteAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // This transaction is aborted: which ids collided is read on a connection of its own.
                await using var command = log.DataSource.CreateCommand(log.Sql.EventsWithIds);
                var found = await AppendedBeforeAsync(command, ids, limit: 5, ct);
                throw new DuplicateEventIdException(
                    $"Event ids of the import are in the log already ({(found.Count > 0 ? string.Join(", ", found) : ex.MessageText)}). Nothing was imported: " +
                    "a re-import of streams that exist goes through ordinary appends, which recognise re-sent events.");
            }
        }
        return new AppendResult(streams[^1].Events.Count, new LogPosition(last), AlreadyAppended: false);
    }

    public Task CommitAsync(CancellationToken ct = default) => transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    /// <summary>Takes the append lock (held until this transaction ends) and queues the wake-up for followers; returns the server's clock.</summary>
    private async Task<DateTimeOffset> LockAsync(CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { new(log.Sql.AppendLock), new(log.Sql.Notify), new("select now()") },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    /// <summary>Names the ids that belong to another append (a refused append reads them once more to say so).</summary>
    private static async Task<DuplicateEventIdException> DuplicateIdsAsync(
        LedgerLog log, NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<EventData> events, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(log.Sql.EventsWithIds, connection, transaction);
        var earlier = await AppendedBeforeAsync(command, events.Select(e => e.Id), limit: events.Count, ct);
        return new DuplicateEventIdException(
            $"{earlier.Count} of the append's {events.Count} event ids were appended before, in another append " +
            $"({string.Join(", ", earlier)}). Nothing was appended: send the whole original append to retry it, or new ids for new events.");
    }

    /// <summary>Where the log's events with these ids were appended ("id in 'stream' at version v"), at most <paramref name="limit"/>, to name them in a refusal.</summary>
    private static async Task<List<string>> AppendedBeforeAsync(NpgsqlCommand command, IEnumerable<Guid> ids, int limit, CancellationToken ct)
    {
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids.ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found.Add($"{reader.GetGuid(0)} in '{reader.GetString(1)}' at version {reader.GetInt64(2)}");
        return found;
    }
}
