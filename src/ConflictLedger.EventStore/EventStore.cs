using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;

namespace ConflictLedger.EventStore;

/// <summary>
/// An append-only event log in one PostgreSQL schema: streams with optimistic
/// concurrency, a gap-safe global order, and durable checkpoints for subscriptions.
/// </summary>
public sealed partial class EventStore
{
    private readonly EventsSql sql;

    public EventStore(NpgsqlDataSource dataSource, EventStoreOptions? options = null)
    {
        DataSource = dataSource;
        Options = options ?? new EventStoreOptions();
        sql = new EventsSql(Options.Schema);
        Checkpoints = new Checkpoints(dataSource, sql);
    }

    public NpgsqlDataSource DataSource { get; }
    public EventStoreOptions Options { get; }
    public Checkpoints Checkpoints { get; }

    public Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct = default) =>
        SchemaMigrator.MigrateAsync(DataSource, Options.Schema, typeof(EventStore).Assembly, "eventstore", ct);

    public Task<bool> IsMigratedAsync(CancellationToken ct = default) =>
        SchemaMigrator.IsCurrentAsync(DataSource, Options.Schema, typeof(EventStore).Assembly, "eventstore", ct);

    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        AppendValidation.CheckStreamId(streamId);
        AppendValidation.CheckEvents(events, Options.MaxEventBytes);
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        return await AppendCheckedAsync(connection, null, streamId, expected, events, ct);
    }

    /// <summary>Appends inside the caller's transaction, so the events commit with the caller's other writes.</summary>
    public Task<AppendResult> AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction,
        string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        AppendValidation.CheckStreamId(streamId);
        AppendValidation.CheckEvents(events, Options.MaxEventBytes);
        return AppendCheckedAsync(connection, transaction, streamId, expected, events, ct);
    }

    private async Task<AppendResult> AppendCheckedAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql.Append, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.Value });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = events.Select(e => e.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.Type).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.Data).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = events.Select(e => e.Metadata).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        try
        {
            // Prepared, the function's plans survive on the physical connection; unprepared,
            // the pool's reset (DISCARD ALL) throws them away and every append re-plans
            // every statement inside it (measured: about half the append rate).
            await command.PrepareAsync(ct);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new AppendResult(
                reader.GetInt64(1),
                new LogPosition(reader.GetFieldValue<ulong>(3), reader.GetInt64(2)),
                reader.GetBoolean(4));
        }
        catch (PostgresException ex) when (ex.SqlState == "CL409")
        {
            throw new ConcurrencyException(streamId, expected, long.Parse(ex.Hint!, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (PostgresException ex) when (ex.SqlState == "CL422")
        {
            throw new DuplicateEventIdException(ex.MessageText);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another writer created the stream's first version between our lock and insert.
            var actual = await StreamVersionAsync(streamId, ct);
            throw new ConcurrencyException(streamId, expected, actual);
        }
    }

    /// <summary>The stream's current version, 0 when it does not exist.</summary>
    public async Task<long> StreamVersionAsync(string streamId, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand(sql.StreamVersion);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string streamId, long fromVersion = 1, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand(sql.ReadStream);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromVersion });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return ReadEvent(reader);
    }

    /// <summary>
    /// Every committed event after <paramref name="after"/> in log order, page by page,
    /// up to the head as it stands while reading. Holds one page in memory at most.
    /// </summary>
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        LogPosition after, ReadAllOptions? options = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var types = options?.Types is { Count: > 0 } t ? t.ToArray() : null;
        var remaining = options?.Limit ?? int.MaxValue;
        var cursor = after;
        while (remaining > 0)
        {
            var pageSize = Math.Min(remaining, Options.ReadPageSize);
            var count = 0;
            await using (var command = DataSource.CreateCommand(sql.ReadAll))
            {
                command.Parameters.Add(new NpgsqlParameter<ulong> { TypedValue = cursor.TxId, NpgsqlDbType = NpgsqlDbType.Xid8 });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor.Value });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)types ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var e = ReadEvent(reader);
                    cursor = e.Position;
                    count++;
                    yield return e;
                }
            }
            remaining -= count;
            if (count < pageSize) yield break;
        }
    }

    /// <summary>The last position a reader can see now (<see cref="LogPosition.Start"/> for an empty log).</summary>
    public async Task<LogPosition> HeadAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand(sql.Head);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LogPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1)) : LogPosition.Start;
    }

    /// <summary>
    /// The position of the last event committed so far (<see cref="LogPosition.Start"/> for
    /// an empty log). Readers reach it once every older transaction has finished: wait for
    /// it to know that everything committed before this call has been read.
    /// </summary>
    public async Task<LogPosition> LastCommittedAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand(sql.LastCommitted);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LogPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1)) : LogPosition.Start;
    }

    /// <summary>The full position of the event numbered <paramref name="position"/>; null when no event has that number.</summary>
    public async Task<LogPosition?> ResolveAsync(long position, CancellationToken ct = default)
    {
        if (position == 0) return LogPosition.Start;
        await using var command = DataSource.CreateCommand(sql.Resolve);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LogPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1)) : null;
    }

    /// <summary>How many readable events lie after <paramref name="position"/>: a subscription's lag.</summary>
    public async Task<long> CountAfterAsync(LogPosition position, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand(sql.CountAfter);
        command.Parameters.Add(new NpgsqlParameter<ulong> { TypedValue = position.TxId, NpgsqlDbType = NpgsqlDbType.Xid8 });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position.Value });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static RecordedEvent ReadEvent(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetInt64(2),
        new LogPosition(reader.GetFieldValue<ulong>(4), reader.GetInt64(3)),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7),
        reader.GetFieldValue<DateTimeOffset>(8));
}
