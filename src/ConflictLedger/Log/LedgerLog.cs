using System.Runtime.CompilerServices;
using ConflictLedger.Schema;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ConflictLedger.Log;

/// <summary>
/// The ledger's log. Marten stores it (<c>mt_events</c>, <c>mt_streams</c>); this class
/// appends through <see cref="LogAppend"/>, which adds what Marten lacks (a re-sent append
/// returns the first result; sequence numbers drawn in commit order), and reads the whole
/// log in that order for the feeds, the webhooks and the CLI.
/// </summary>
public sealed class LedgerLog : IAsyncDisposable
{
    private readonly LogSql sql;

    private readonly ILogger logger;

    /// <summary>Whether disposing this log disposes its document store (the one <see cref="Create"/> made).</summary>
    private bool ownsStore;

    /// <param name="connectionString">
    /// The connection string <paramref name="dataSource"/> was made from, for the appends' own
    /// pool (<see cref="AppendSource"/>); by default the data source's, which leaves out a password.
    /// </param>
    public LedgerLog(IDocumentStore store, NpgsqlDataSource dataSource, LogOptions options, ILogger<LedgerLog>? logger = null, string? connectionString = null)
    {
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        Store = store;
        DataSource = dataSource;
        Options = options;
        sql = new LogSql(options.Schema);
        Checkpoints = new Checkpoints(dataSource, sql);
        AppendSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString ?? dataSource.ConnectionString)
        {
            NoResetOnClose = true,
            // A log that is never disposed (a CLI run, a test) closes its idle append connections soon.
            ConnectionIdleLifetime = 15,
        }.ConnectionString);
    }

    public IDocumentStore Store { get; }
    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// The appends' own pool, whose connections are not reset when they go back to it.
    /// Npgsql's reset (RESET ALL and the rest, before the next command) made PostgreSQL plan
    /// every statement of the two append functions again on each append: 1.2-1.9 ms an
    /// append against 0.4 ms without it (measured). An append leaves nothing behind on its
    /// connection (its lock ends with its transaction), so there is nothing to reset; the
    /// application's other connections (listeners, Marten's and Wolverine's locks) keep the reset.
    /// </summary>
    internal NpgsqlDataSource AppendSource { get; }
    public LogOptions Options { get; }
    public Checkpoints Checkpoints { get; }

    internal LogSql Sql => sql;

    /// <summary>A document store for the ledger in <paramref name="options"/>' schema (the CLI and tests; the server registers its own through AddMarten).</summary>
    public static LedgerLog Create(NpgsqlDataSource dataSource, LogOptions options)
    {
        var store = DocumentStore.For(o =>
        {
            o.Connection(dataSource);
            LedgerMarten.Configure(o, options);
        });
        return new LedgerLog(store, dataSource, options) { ownsStore = true };
    }

    /// <summary>Creates or updates Marten's tables and the ledger's own; safe to run from several processes at once.</summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        // Marten's migration is not safe to run twice at once (two nodes starting together
        // race on its DDL): a lock, held by a transaction on a connection of its own, queues them.
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        await using var guard = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand(sql.MigrationLock, connection, guard))
            await command.ExecuteNonQueryAsync(ct);
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await FirstVersionLog.CarryOverAsync(this, logger, ct);
        await SqlScripts.MigrateAsync(DataSource, Options.Schema, typeof(LedgerLog).Assembly, "domain", ct);
        // Every time, not only right after the carry-over: a crash in between must not send webhooks back to 0.
        await FirstVersionLog.MoveFollowersToHeadAsync(this, ct);
        await guard.CommitAsync(ct);
    }

    public Task<bool> IsMigratedAsync(CancellationToken ct = default) =>
        SqlScripts.IsCurrentAsync(DataSource, Options.Schema, typeof(LedgerLog).Assembly, "domain", ct);

    /// <summary>Appends to one stream and commits: one autocommitted statement, one round trip.</summary>
    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await AppendSource.OpenConnectionAsync(ct);
                return await LogAppend.AppendAsync(this, connection, transaction: null, streamId, expected, events, ct);
            }
            catch (NpgsqlException ex) when (attempt == 1 && IsStale(ex))
            {
                // The pool held connections the database closed (it restarted). The append
                // either never ran or committed; sending it again is safe either way, since a
                // re-send of the same event ids returns the first result.
                AppendSource.Clear();
            }
        }
    }

    /// <summary>A connection the server closed (shut down, restarted, terminated) or the network lost.</summary>
    private static bool IsStale(NpgsqlException ex) =>
        ex is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown }
        || ex.InnerException is IOException or System.Net.Sockets.SocketException;

    /// <summary>Starts a transaction for appends to several streams that commit together or not at all.</summary>
    public Task<LogAppend> BeginAsync(CancellationToken ct = default) => LogAppend.BeginAsync(this, ct);

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
    /// Reading by sequence number alone is gap-safe because appends draw their numbers in
    /// commit order (<see cref="LogAppend"/>): nothing can commit later below a number seen.
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
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor.Value });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)types ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
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

    /// <summary>The position of the last committed event (<see cref="LogPosition.Start"/> for an empty log).</summary>
    public async Task<LogPosition> HeadAsync(CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand(sql.Head);
        return new LogPosition((long)(await command.ExecuteScalarAsync(ct))!);
    }

    /// <summary>The event numbered <paramref name="position"/>; null when no event has that number.</summary>
    public async Task<LogPosition?> ResolveAsync(long position, CancellationToken ct = default)
    {
        if (position == 0) return LogPosition.Start;
        await using var command = DataSource.CreateCommand(sql.Resolve);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        return await command.ExecuteScalarAsync(ct) is long found ? new LogPosition(found) : null;
    }

    /// <summary>How many events lie after <paramref name="position"/>: a follower's lag.</summary>
    public async Task<long> CountAfterAsync(LogPosition position, CancellationToken ct = default)
    {
        await using var command = DataSource.CreateCommand(sql.CountAfter);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position.Value });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask DisposeAsync()
    {
        await AppendSource.DisposeAsync();
        if (ownsStore) Store.Dispose();
    }

    private static RecordedEvent ReadEvent(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetInt64(2),
        new LogPosition(reader.GetInt64(3)),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetFieldValue<DateTimeOffset>(7));
}
